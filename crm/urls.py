from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clients import survey_urls
from crm import views
from crm.forms import LoginForm

notification_patterns = (
    [
        path("", views.notification_list, name="list"),
        path("<int:pk>/open/", views.notification_open, name="open"),
        path("<int:pk>/read/", views.notification_mark_read, name="mark_read"),
        path("read-all/", views.notifications_mark_all_read, name="mark_all_read"),
    ],
    "notifications",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/notifications/", views.notification_preferences, name="notification_preferences"),
    path("notifications/", include(notification_patterns)),
    path("clients/", include("clients.urls")),
    path("surveys/", include("clients.survey_urls")),
    path("s/", include(survey_urls.public)),
    path("grading/", include("grading.urls")),
    path("repairs/", include("repairs.urls")),
    path("archives/", include("archives.urls")),
    path("brands/", include("grading.brand_urls")),
    path("visits/", include("visits.urls")),
    path("targets/", include("visits.target_urls")),
    path("campaigns/", include("clients.campaign_urls")),
    path("campaigns/", include("grading.campaign_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
