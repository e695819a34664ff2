from grading.campaign_views import urlpatterns

app_name = "campaign_evaluation"

__all__ = ["app_name", "urlpatterns"]
