from django.urls import path

from repairs.views import finance, orders, stats, steps

app_name = "repairs"

urlpatterns = [
    path("", orders.order_list, name="list"),
    path("new/", orders.order_create, name="create"),
    path("units/search/", orders.unit_search, name="unit_search"),
    path("stats/", stats.stats, name="stats"),
    path("stats/generate/", stats.stats_generate, name="stats_generate"),
    path("stats/export/", stats.stats_export, name="stats_export"),
    path("register/", stats.register, name="register"),
    path("stats/sign-off/", stats.stats_sign_off, name="stats_sign_off"),
    path("callbacks/<int:pk>/", stats.callback_record, name="callback_record"),
    path("fees/", finance.fee_schedules, name="fee_schedules"),
    path("fees/draft/", finance.fee_schedule_draft, name="fee_schedule_draft"),
    path("fees/<int:pk>/", finance.fee_schedule, name="fee_schedule"),
    path("fees/<int:pk>/items/", finance.fee_item_create, name="fee_item_create"),
    path("fees/<int:pk>/publish/", finance.fee_schedule_publish, name="fee_schedule_publish"),
    path("fees/<int:pk>/print/", finance.fee_schedule_print, name="fee_schedule_print"),
    path("fees/items/<int:pk>/", finance.fee_item_edit, name="fee_item_edit"),
    path("fees/items/<int:pk>/retire/", finance.fee_item_retire, name="fee_item_retire"),
    path("billing/", finance.billing_list, name="billing"),
    path("billing/export/", finance.billing_export, name="billing_export"),
    path("<int:pk>/billing/", finance.order_billing, name="order_billing"),
    path("<int:pk>/finance-copy/", finance.order_finance_copy, name="order_finance_copy"),
    path("<int:pk>/", orders.order_detail, name="detail"),
    path("<int:pk>/slip/", orders.order_slip, name="slip"),
    path("<int:pk>/<str:action>/", steps.order_step, name="step"),
]
