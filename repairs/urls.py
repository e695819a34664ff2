from django.urls import path

from repairs.views import orders, stats, steps

app_name = "repairs"

urlpatterns = [
    path("", orders.order_list, name="list"),
    path("new/", orders.order_create, name="create"),
    path("units/search/", orders.unit_search, name="unit_search"),
    path("stats/", stats.stats, name="stats"),
    path("stats/generate/", stats.stats_generate, name="stats_generate"),
    path("stats/export/", stats.stats_export, name="stats_export"),
    path("register/", stats.register, name="register"),
    path("callbacks/<int:pk>/", stats.callback_record, name="callback_record"),
    path("<int:pk>/", orders.order_detail, name="detail"),
    path("<int:pk>/slip/", orders.order_slip, name="slip"),
    path("<int:pk>/<str:action>/", steps.order_step, name="step"),
]
