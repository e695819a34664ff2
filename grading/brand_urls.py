"""/brands/: the catalogue and plan forms (clients) and the plan pages measured from the ledger
(grading), under one namespace. Mounted here because grading may import clients, not the reverse."""

from clients.views import brands
from grading import brand_views

app_name = "brands"

urlpatterns = [*brands.urlpatterns, *brand_views.urlpatterns]
