from django.urls import path

from archives import tenant_views, views

app_name = "archives"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit_file, name="unit"),
    path("units/<int:pk>/upload/", views.document_upload, name="upload"),
    path("units/<int:pk>/borrow/", views.loan_request, name="borrow"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("versions/<int:pk>/download/", views.download, name="download"),
    path("approvals/", views.approvals, name="approvals"),
    path("changes/<int:pk>/<str:decision>/", views.change_decide, name="change_decide"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("loans/<int:pk>/<str:decision>/", views.loan_decide, name="loan_decide"),
    path("tenancies/<int:pk>/end/", views.tenancy_end, name="tenancy_end"),
    path("yearly/", views.yearly, name="yearly"),
    path("yearly/<int:year>/", views.yearly_index, name="yearly_index"),
    path("notices/", views.notices, name="notices"),
    path("tenancies/<int:pk>/profile/", tenant_views.profile_edit, name="profile"),
    path("arrears/", tenant_views.arrears, name="arrears"),
]

# The incoming correspondence register (ARC-8), in its own module.
from archives import correspondence_views  # noqa: E402

urlpatterns += [
    path("correspondence/", correspondence_views.letter_list, name="correspondence"),
    path("correspondence/new/", correspondence_views.letter_create, name="letter_create"),
    path("correspondence/<int:pk>/", correspondence_views.letter_detail, name="letter"),
    path("correspondence/<int:pk>/scan/", correspondence_views.letter_scan, name="letter_scan"),
]
