from visits.views import calendar, coverage, plans, reports

app_name = "visits"

# Each page module names its own routes, so the apps' parts grow without touching one list.
urlpatterns = [*plans.urlpatterns, *coverage.urlpatterns, *reports.urlpatterns, *calendar.urlpatterns]
