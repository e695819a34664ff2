from django.urls import path

from clients.views import (
    activity,
    campaigns,
    cards,
    complaint_report,
    complaints,
    costs,
    pipeline,
    review,
    service,
    transfer,
)

app_name = "clients"

urlpatterns = [
    path("", cards.client_list, name="list"),
    path("new/", cards.client_create, name="create"),
    path("key-accounts/", cards.key_account_list, name="key_accounts"),
    path("review/", review.review_queue, name="review"),
    path("<int:pk>/reviewed/", review.client_reviewed, name="reviewed"),
    path("export/<str:kind>/", transfer.client_export, name="export"),
    path("import/", transfer.client_import, name="import"),
    path("import/<int:pk>/", transfer.import_job, name="import_job"),
    path("import/<int:pk>/status/", transfer.import_job_status, name="import_job_status"),
    path("import/<int:pk>/confirm/", transfer.import_job_confirm, name="import_job_confirm"),
    path("<int:pk>/", cards.client_detail, name="detail"),
    path("<int:pk>/edit/", cards.client_edit, name="edit"),
    path("<int:pk>/interactions/new/", activity.interaction_create, name="interaction_create"),
    path("<int:pk>/follow-up/cancel/", activity.followup_cancel, name="followup_cancel"),
    path("<int:pk>/feedback/new/", activity.feedback_create, name="feedback_create"),
    path("<int:pk>/demands/new/", activity.demand_create, name="demand_create"),
    path("<int:pk>/complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/", complaints.complaint_list, name="complaints"),
    path("complaints/new/", complaints.property_complaint_create, name="property_complaint_create"),
    path("complaints/report/", complaint_report.complaint_report_view, name="complaint_report"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    # Promotions grew into campaigns (/campaigns/): old bookmarks and notification links still work.
    path("promotions/", campaigns.promotion_redirect, name="promotions"),
    path("promotions/<int:pk>/", campaigns.promotion_redirect, name="promotion_detail"),
    *pipeline.urlpatterns,
    *costs.urlpatterns,
    *service.urlpatterns,
]
