"""What a logged-in user is shown holds client data: no browser or proxy may keep a copy (issue 9).

tests/crm/test_headers.py checks every page of every role; these are the rule's edges.
"""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from archives import services
from crm.middleware import PrivateNoStoreMiddleware
from crm.roles import Role
from tests.archives.conftest import pdf
from tests.factories import ClientFactory, TenancyFactory


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_a_client_card_shown_to_its_owner_is_not_stored(client, alice):
    card = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.get(card.get_absolute_url())
    assert response.status_code == 200
    assert no_store(response)


def test_a_client_export_is_not_stored(client, alice):
    ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.get(reverse("clients:export", args=["clients"]), {"format": "csv"})
    assert response.status_code == 200
    assert no_store(response)


def test_an_archive_download_is_not_stored(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    keeper = make_user(Role.CLIENT_SERVICES_SUPERVISOR)
    tenancy = TenancyFactory()
    document = services.document_file(
        unit=tenancy.unit,
        upload=pdf(),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=keeper,
    )
    client.force_login(keeper)
    response = client.get(reverse("archives:download", args=[document.versions.get().pk]))
    assert response.status_code == 200
    assert no_store(response)


def test_a_page_refused_to_a_logged_in_user_is_not_stored_either(client, make_user):
    client.force_login(make_user(Role.TECHNICIAN))
    response = client.get(reverse("grading:dashboard"))
    assert response.status_code == 403
    assert no_store(response)


def test_static_files_keep_their_own_caching(client, alice):
    client.force_login(alice)
    response = client.get("/static/css/crm.css")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_response_that_says_how_it_may_be_cached_is_left_alone(alice):
    request = RequestFactory().get("/somewhere/")
    request.user = alice
    middleware = PrivateNoStoreMiddleware(lambda request: HttpResponse(headers={"Cache-Control": "max-age=60"}))
    assert middleware(request)["Cache-Control"] == "max-age=60"
