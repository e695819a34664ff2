"""Issue 13: a link is shown only when its page lets the viewer in (one rule: the view's own
gate, read by crm.permissions.may_open), and a refusal says why."""

import pytest
from django.contrib.auth.decorators import login_required
from django.urls import reverse

from archives.forms import DocumentForm
from crm.permissions import may_open, role_required, view_roles
from crm.roles import Role


def test_role_required_declares_its_roles():
    @role_required(Role.FINANCE)
    def view(request):
        return None

    assert view_roles(view) == (Role.FINANCE,)
    assert view_roles(login_required(lambda request: None)) is None


@pytest.mark.parametrize(
    ("role", "url_name", "allowed"),
    [
        (Role.ENGINEERING_SUPERVISOR, "archives:notices", False),
        (Role.FRONT_DESK, "archives:notices", True),
        (Role.CLIENT_SERVICES_SUPERVISOR, "archives:approvals", True),
        (Role.MANAGER, "archives:approvals", False),
        (Role.CLIENT_SERVICES_MANAGER, "archives:arrears", True),
        (Role.FRONT_DESK, "archives:arrears", False),
        (Role.CLIENT_SERVICES_SUPERVISOR, "repairs:list", False),
        (Role.ADMIN, "archives:arrears", True),
        (Role.TECHNICIAN, "notifications:list", True),
    ],
)
def test_may_open_follows_the_views_own_gate(make_user, role, url_name, allowed):
    assert may_open(make_user(role, username=f"u-{role}"), reverse(url_name)) is allowed


def test_may_open_leaves_unknown_paths_alone(make_user):
    assert may_open(make_user(Role.TECHNICIAN), "/static/css/app.css")


def test_the_engineering_supervisor_sees_no_notices_button(client, make_user):
    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR, username="sup"))
    body = client.get(reverse("archives:index")).content.decode()
    assert reverse("archives:notices") not in body
    assert client.get(reverse("archives:notices")).status_code == 403


def test_the_front_desk_still_sees_the_notices_button(client, make_user):
    client.force_login(make_user(Role.FRONT_DESK, username="fd"))
    assert reverse("archives:notices") in client.get(reverse("archives:index")).content.decode()


def test_the_archivist_sees_repair_numbers_without_links(client, make_user, settings, tmp_path):
    from tests.factories import RepairOrderFactory

    settings.MEDIA_ROOT = tmp_path
    order = RepairOrderFactory()
    client.force_login(make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="keeper"))
    body = client.get(reverse("archives:unit", args=[order.unit_id])).content.decode()
    assert order.number in body and order.get_absolute_url() not in body
    assert client.get(order.get_absolute_url()).status_code == 403


def test_the_403_page_says_why_an_original_is_never_deleted(client, make_user, settings, tmp_path):
    from archives import services
    from tests.archives.conftest import pdf
    from tests.factories import TenancyFactory

    settings.MEDIA_ROOT = tmp_path
    admin = make_user(Role.ADMIN, username="root", is_staff=True, is_superuser=True)
    tenancy = TenancyFactory()
    document = services.document_file(
        unit=tenancy.unit,
        upload=pdf(),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=admin,
    )
    client.force_login(admin)
    response = client.get(reverse("admin:archives_document_delete", args=[document.pk]))
    assert response.status_code == 403
    assert (
        '<p class="lead" data-testid="refusal-reason">Archived documents are never deleted' in response.content.decode()
    )


def test_a_role_refused_by_the_archive_is_told_why(client, make_user):
    client.force_login(make_user(Role.FRONT_DESK, username="fd"))
    response = client.get(reverse("archives:approvals"))
    assert response.status_code == 403
    assert "This part of the unit archives is for other roles than yours." in response.content.decode()


def test_the_upload_forms_two_category_fields_have_distinct_labels():
    form = DocumentForm()
    assert form.fields["category"].label == "Document category"
    assert form.fields["kind"].label == "Original or working copy"
