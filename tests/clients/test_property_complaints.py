"""Tenants' (property) complaints (CLI-6, 接听客户投诉): the front desk and client services file and
handle them; account managers see only their own clients' ones; sales complaints are unchanged."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clients import complaints as workflow
from clients.models import Complaint
from crm.roles import Role
from tests.factories import ClientFactory, TenancyFactory

S = Complaint.Status
PROPERTY = Complaint.Kind.PROPERTY


@pytest.fixture
def desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk")


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="archivist")


@pytest.fixture
def propmanager(make_user):
    return make_user(Role.CLIENT_SERVICES_MANAGER, username="propmanager")


@pytest.fixture
def tenant(alice):
    """Alice's client, renting a unit now."""
    client = ClientFactory(owner=alice, name="华信科技", kind="tenant", phone="010-8888 1234")
    TenancyFactory(client=client, company_name=client.name)
    return client


@pytest.fixture
def noise(tenant, desk):
    return workflow.complaint_file(
        client=tenant,
        subject="楼上噪音",
        description="晚上十点以后装修。",
        channel="phone",
        by=desk,
        kind=PROPERTY,
        category=Complaint.Category.NOISE,
    )


def test_the_front_desk_files_a_tenants_complaint_from_the_complaints_page(client, desk, archivist, tenant):
    client.force_login(desk)
    url = reverse("clients:property_complaint_create")
    page = client.get(url, {"client": tenant.pk})
    assert page.status_code == 200
    assert page.context["form"]["client"].value() == str(tenant.pk), "the unit file's link preselects the tenant"
    response = client.post(
        url,
        {
            "client": tenant.pk,
            "subject": "电梯故障",
            "channel": "visit",
            "category": "repair",
            "description": "三号电梯停在五楼。",
            "assignee": archivist.pk,
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert (complaint.kind, complaint.category, complaint.status, complaint.assignee) == (
        PROPERTY,
        "repair",
        S.ASSIGNED,
        archivist,
    )


def test_the_tenant_list_offers_only_clients_renting_now(client, desk, tenant, alice):
    ClientFactory(owner=alice, name="Not a tenant")
    client.force_login(desk)
    form = client.get(reverse("clients:property_complaint_create")).context["form"]
    assert list(form.fields["client"].queryset) == [tenant]


def test_a_property_category_is_required_to_be_a_property_one(client, desk, tenant):
    client.force_login(desk)
    data = {"client": tenant.pk, "subject": "x", "channel": "phone", "category": "product", "description": "y"}
    response = client.post(reverse("clients:property_complaint_create"), data)
    assert response.status_code == 200 and "category" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER])
def test_property_staff_open_the_complaint_pages_they_got_403_on(client, make_user, noise, role):
    user = make_user(role)
    client.force_login(user)
    assert client.get(reverse("clients:complaints")).status_code == 200
    assert client.get(noise.get_absolute_url()).status_code == 200
    assert client.get(reverse("clients:property_complaint_create")).status_code == 200


def test_client_services_handles_a_property_complaint_through_every_step(client, noise, desk, archivist):
    client.force_login(archivist)
    url = noise.get_absolute_url()
    client.post(url, {"action": "assigned", "version": 1, "assignee": archivist.pk})
    client.post(url, {"action": "resolved", "version": 2, "note": "已与楼上沟通，停止夜间施工。"})
    noise.refresh_from_db()
    assert noise.status == S.RESOLVED and noise.resolution.startswith("已与")
    client.force_login(desk)
    client.post(url, {"action": "closed", "version": 3})
    noise.refresh_from_db()
    assert noise.status == S.CLOSED
    assert [e.actor for e in noise.events.all()] == [desk, archivist, archivist, desk]


def test_a_property_complaint_goes_only_to_property_staff(noise, desk, alice):
    with pytest.raises(ValidationError):
        workflow.complaint_assign(complaint=noise, assignee=alice, by=desk)
    choices = set(workflow.assignee_choices(noise.client, PROPERTY).values_list("role", flat=True))
    assert choices == {Role.FRONT_DESK}


def test_the_tenants_account_manager_sees_but_does_not_direct_a_property_complaint(client, noise, alice, desk):
    client.force_login(alice)
    page = client.get(noise.get_absolute_url())
    assert page.status_code == 200 and page.context["actions"] == []
    with pytest.raises(PermissionDenied):
        workflow.complaint_assign(complaint=noise, assignee=desk, by=alice)


def test_an_account_manager_cannot_file_a_property_complaint(tenant, alice):
    with pytest.raises(PermissionDenied):
        workflow.complaint_file(client=tenant, subject="x", description="y", channel="phone", by=alice, kind=PROPERTY)


def test_property_complaints_triad_owner_other_team_property_staff(noise, alice, charlie, desk, archivist, client):
    """The owner sees their tenant's complaint, an account manager of another team does not, property staff do."""
    assert list(Complaint.objects.visible_to(alice)) == [noise]
    assert list(Complaint.objects.visible_to(charlie)) == []
    assert list(Complaint.objects.visible_to(desk)) == [noise]
    assert list(Complaint.objects.visible_to(archivist)) == [noise]
    client.force_login(charlie)
    assert client.get(noise.get_absolute_url()).status_code == 404


def test_property_staff_do_not_see_sales_complaints(alice, tenant, desk, client):
    sales = workflow.complaint_file(client=tenant, subject="Invoice", description="Wrong", channel="phone", by=alice)
    assert sales.kind == Complaint.Kind.SALES
    assert not Complaint.objects.visible_to(desk).exists()
    client.force_login(desk)
    assert client.get(sales.get_absolute_url()).status_code == 404


def test_sales_complaint_form_keeps_working_with_a_category(client, alice, tenant):
    client.force_login(alice)
    url = reverse("clients:complaint_create", args=[tenant.pk])
    client.post(url, {"subject": "Late", "channel": "phone", "description": "Two days"})
    client.post(url, {"subject": "Broken", "channel": "phone", "category": "product", "description": "Cracked"})
    assert dict(Complaint.objects.values_list("subject", "category")) == {"Late": "other", "Broken": "product"}
    assert set(Complaint.objects.values_list("kind", flat=True)) == {"sales"}


def test_the_list_filters_by_category_and_the_desk_sees_the_file_button(client, noise, desk, tenant):
    workflow.complaint_file(
        client=tenant,
        subject="走廊脏",
        description="没人打扫",
        channel="phone",
        by=desk,
        kind=PROPERTY,
        category="cleaning",
    )
    client.force_login(desk)
    page = client.get(reverse("clients:complaints"), {"category": "noise"})
    assert [c.subject for c in page.context["page_obj"]] == ["楼上噪音"]
    assert b'data-testid="file-property-complaint"' in page.content


def test_the_unit_file_offers_filing_a_complaint_for_its_tenant(client, desk, tenant):
    unit = tenant.tenancies.get().unit
    client.force_login(desk)
    page = client.get(reverse("archives:unit", args=[unit.pk]))
    link = reverse("clients:property_complaint_create") + f"?client={tenant.pk}"
    assert link.encode() in page.content


def test_the_complaint_list_query_count_does_not_grow(client, desk, tenant, django_assert_max_num_queries):
    client.force_login(desk)
    for number in range(3):
        workflow.complaint_file(
            client=tenant, subject=f"c{number}", description="d", channel="phone", by=desk, kind=PROPERTY
        )
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("clients:complaints"))
    for number in range(30):
        workflow.complaint_file(
            client=tenant, subject=f"m{number}", description="d", channel="phone", by=desk, kind=PROPERTY
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("clients:complaints"))


def test_reopening_a_property_complaint_keeps_a_property_assignee(noise, desk, archivist):
    noise = workflow.complaint_assign(complaint=noise, assignee=archivist, by=desk)
    noise = workflow.complaint_resolve(complaint=noise, resolution="ok", by=archivist)
    noise = workflow.complaint_reopen(complaint=noise, by=desk, note="又吵了")
    assert (noise.status, noise.assignee, noise.reopen_count) == (S.ASSIGNED, archivist, 1)


def test_property_complaints_keep_received_time(noise):
    assert timezone.now() - noise.received_at < timedelta(minutes=1)


def test_the_home_page_of_client_services_lists_its_tenants_complaints(client, noise, desk, archivist):
    workflow.complaint_assign(complaint=noise, assignee=archivist, by=desk)
    client.force_login(archivist)
    home = client.get(reverse("home"))
    assert b'data-testid="property-complaints-panel"' in home.content and "楼上噪音" in home.content.decode()
    client.force_login(desk)
    assert "楼上噪音" not in client.get(reverse("home")).content.decode(), "assigned to someone else"
