"""Every admin "add" page survives being submitted empty (issue 9, defect 8)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from crm.roles import Role

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_an_empty_add_form_is_never_a_server_error(client, make_user, model):
    client.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    client.raise_request_exception = False
    response = client.post(url, {})
    assert response.status_code < 500, response.content[:2000]
