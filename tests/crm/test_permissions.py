"""The permission-gate helpers: a role outside the page gets 403, a record outside the gate 404."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.views import View

from crm.models import Notification
from crm.permissions import RoleRequiredMixin, get_visible_or_404, role_required
from crm.roles import Role
from tests.factories import NotificationFactory


@role_required(Role.FRONT_DESK)
def front_desk_page(request):
    return HttpResponse("ok")


class FrontDeskRecordView(RoleRequiredMixin, View):
    allowed_roles = (Role.FRONT_DESK,)

    def get(self, request, *args, **kwargs):
        return HttpResponse(f"record {args} {kwargs}")


front_desk_record = FrontDeskRecordView.as_view()

urlpatterns = [path("fd/", front_desk_page), path("", include("crm.urls"))]


def request_as(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    return request


def test_role_required_lets_the_role_in(make_user):
    assert front_desk_page(request_as(make_user(Role.FRONT_DESK))).status_code == 200


def test_role_required_lets_administrators_in(make_user):
    assert front_desk_page(request_as(make_user(Role.ADMIN))).status_code == 200


def test_role_required_refuses_other_roles(make_user):
    with pytest.raises(PermissionDenied):
        front_desk_page(request_as(make_user(Role.TECHNICIAN)))


def test_role_required_sends_anonymous_users_to_login(db):
    from django.contrib.auth.models import AnonymousUser

    response = front_desk_page(request_as(AnonymousUser()))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_records_outside_the_gate_are_404(alice, bob):
    theirs = NotificationFactory(recipient=bob)
    with pytest.raises(Http404):
        get_visible_or_404(Notification.objects, alice, pk=theirs.pk)
    assert get_visible_or_404(Notification.objects, bob, pk=theirs.pk) == theirs


def test_anonymous_users_see_nothing(db, bob):
    from django.contrib.auth.models import AnonymousUser

    NotificationFactory(recipient=bob)
    assert not Notification.objects.visible_to(AnonymousUser()).exists()


def test_forbidden_page_is_styled(client, make_user, settings):
    settings.ROOT_URLCONF = __name__  # this module's urlpatterns: the app's plus a gated page
    client.force_login(make_user(Role.TECHNICIAN))
    response = client.get("/fd/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_records_are_fetched_by_the_lookup_given(bob):
    first, second = NotificationFactory(recipient=bob), NotificationFactory(recipient=bob)
    assert get_visible_or_404(Notification.objects, bob, pk=second.pk) == second
    assert get_visible_or_404(Notification.objects, bob, pk=first.pk) == first


def test_the_role_mixin_lets_the_role_in_with_the_urls_arguments(make_user):
    response = front_desk_record(request_as(make_user(Role.FRONT_DESK)), "2026", pk=7)
    assert (response.status_code, response.content) == (200, b"record ('2026',) {'pk': 7}")


def test_the_role_mixin_lets_administrators_in(make_user):
    response = front_desk_record(request_as(make_user(Role.ADMIN)), pk=7)
    assert (response.status_code, response.content) == (200, b"record () {'pk': 7}")


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.ACCOUNT_MANAGER, Role.ENGINEERING_SUPERVISOR])
def test_the_role_mixin_refuses_other_roles(make_user, role):
    with pytest.raises(PermissionDenied):
        front_desk_record(request_as(make_user(role)), pk=7)


def test_the_role_mixin_sends_anonymous_users_to_login(db):
    from django.contrib.auth.models import AnonymousUser

    response = front_desk_record(request_as(AnonymousUser()), pk=7)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/somewhere/")
