"""URLs of product surveys (MKT-4): /surveys/… for staff, and the clients' links under /s/."""

from django.urls import path

from clients.views import survey_public
from clients.views import surveys as views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/send/", views.survey_send, name="send"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("questions/<int:pk>/move/", views.question_move, name="question_move"),
    path("<int:pk>/clients/<int:client_id>/answer/", views.answer_fill, name="answer"),
    path("invitations/<int:pk>/link/", views.invitation_link, name="invitation_link"),
    path("<int:pk>/results/", views.survey_results_page, name="results"),
    path("<int:pk>/export.xlsx", views.survey_export, name="export"),
]

# Mounted at /s/ by crm.urls: a client's personal link, and the page after answering.
public = (
    [
        path("thanks/", survey_public.public_thanks, name="thanks"),
        path("<slug:token>/", survey_public.public_answer, name="answer"),
    ],
    "survey_public",
)
