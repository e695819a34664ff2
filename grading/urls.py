from django.urls import path

from grading import run_views, service_views, views

app_name = "grading"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/", views.run_start, name="run_start"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/", run_views.run_list, name="runs"),
    path("movers/", run_views.movers, name="movers"),
    path("clients/<int:pk>/levels/", run_views.level_history, name="level_history"),
    path("policy/", views.policy, name="policy"),
    path("export/", views.export, name="export"),
    path("clients/<int:pk>/potential/", views.potential_create, name="potential"),
    path("clients/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("receivables/<int:pk>/payment/", views.record_payment, name="record_payment"),
    path(
        "receivables/<int:pk>/correction/",
        views.correction_request,
        {"kind": "receivable"},
        name="correction_request_receivable",
    ),
    path("orders/<int:pk>/correction/", views.correction_request, {"kind": "order"}, name="correction_request_order"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"),
    *service_views.urlpatterns,
]
