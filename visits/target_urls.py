"""/targets/ (MKT-2): mounted at the site's root, beside /visits/, by crm/urls.py."""

from visits.views import targets

app_name = "targets"

urlpatterns = targets.urlpatterns
