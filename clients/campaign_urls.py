from django.urls import path

from clients.views import campaigns

app_name = "campaigns"

urlpatterns = [
    path("", campaigns.campaign_list, name="list"),
    path("new/", campaigns.campaign_create, name="create"),
    path("<int:pk>/", campaigns.campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="edit"),
    path("<int:pk>/launch/", campaigns.campaign_launch, name="launch"),
    path("<int:pk>/members/<int:member_pk>/", campaigns.member_contact, name="member"),
    path("clients/<int:pk>/opt-in/", campaigns.client_opt_in, name="opt_in"),
]
