from django.http import HttpResponse
from django.urls import path

urlpatterns: list = [path("reports/", lambda r: HttpResponse(""), name="reports")]
