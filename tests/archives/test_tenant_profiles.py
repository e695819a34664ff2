"""Issue 13: a tenant profile per tenancy (staff, company type, property-fee status), shown on the
unit file, kept by client services with an audit row per change; the arrears list with its
filters, sort and export (ARC-2, ARC-9, X-2, X-3)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives import services
from archives.models import TenantProfile
from crm.roles import Role
from tests.factories import BuildingFactory, FloorFactory, TenancyFactory, UnitFactory


def profile_of(tenancy, by, **data):
    return services.tenant_profile_save(tenancy=tenancy, data=data, seen_version=0, by=by)


def post_profile(client, tenancy, version=0, **data):
    body = {"staff_count": "25", "company_type": "private", "fees_paid_until": "", "arrears": "0", "notes": ""}
    body.update(data)
    return client.post(reverse("archives:profile", args=[tenancy.pk]), {"version": version, **body})


def test_client_services_edit_a_profile_and_the_change_is_audited(client, tenancy, archivist):
    client.force_login(archivist)
    response = post_profile(client, tenancy, arrears="1234.50", fees_paid_until="2026-01-31", company_type="foreign")
    assert response.status_code == 302 and response.url == reverse("archives:unit", args=[tenancy.unit.pk])
    profile = TenantProfile.objects.get(tenancy=tenancy)
    assert (profile.staff_count, profile.company_type, profile.arrears) == (25, "foreign", Decimal("1234.50"))
    assert profile.updated_by == archivist and profile.version == 1
    last = profile.history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.arrears, str(last.fees_paid_until)) == (archivist, Decimal("1234.50"), "2026-01-31")


def test_a_second_edit_keeps_both_versions_in_the_history(client, tenancy, archivist, manager):
    client.force_login(archivist)
    post_profile(client, tenancy, arrears="100")
    client.force_login(manager)
    post_profile(client, tenancy, version=1, arrears="0")
    profile = TenantProfile.objects.get(tenancy=tenancy)
    assert profile.arrears == 0 and profile.version == 2
    rows = list(profile.history.order_by("history_date", "history_id").values_list("arrears", "history_user"))
    assert rows[-2:] == [(Decimal("100.00"), archivist.pk), (Decimal("0.00"), manager.pk)]
    page = client.get(reverse("archives:profile", args=[tenancy.pk])).content.decode()
    assert page.count("list-group-item small") >= 2


def test_an_edit_made_on_an_old_version_is_refused(client, tenancy, archivist):
    profile_of(tenancy, archivist, arrears=Decimal("10"))
    client.force_login(archivist)
    response = post_profile(client, tenancy, version=0, arrears="999")
    assert response.status_code == 200
    assert "Someone else changed this profile meanwhile" in response.content.decode()
    assert TenantProfile.objects.get(tenancy=tenancy).arrears == Decimal("10")


def test_negative_arrears_are_refused_next_to_the_field(client, tenancy, archivist):
    client.force_login(archivist)
    response = post_profile(client, tenancy, arrears="-5")
    assert response.status_code == 200 and response.context["form"].errors["arrears"]
    assert not TenantProfile.objects.exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.MANAGER, Role.ENGINEERING_SUPERVISOR])
def test_other_roles_may_not_edit_a_profile(client, tenancy, make_user, team, role):
    client.force_login(make_user(role, username=f"x-{role}", team=team))
    assert client.get(reverse("archives:profile", args=[tenancy.pk])).status_code == 403
    assert post_profile(client, tenancy).status_code == 403
    with pytest.raises(PermissionDenied):
        services.tenant_profile_save(tenancy=tenancy, data={}, seen_version=0, by=make_user(role))


def test_the_service_refuses_a_stale_version(tenancy, archivist):
    profile_of(tenancy, archivist, staff_count=3)
    with pytest.raises(ValidationError):
        services.tenant_profile_save(tenancy=tenancy, data={"staff_count": 4}, seen_version=0, by=archivist)


def test_the_unit_file_shows_the_profile_and_an_edit_link_for_client_services(client, tenancy, archivist, desk):
    profile_of(
        tenancy,
        archivist,
        staff_count=42,
        company_type="joint_venture",
        arrears=Decimal("880.00"),
        fees_paid_until=timezone.localdate() - timedelta(days=40),
    )
    client.force_login(archivist)
    body = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    card = body.split('data-testid="tenant-profile"')[1].split("</section>")[0]
    assert "Joint venture" in card and "42" in card and "880.00" in card and "text-danger" in card
    assert reverse("archives:profile", args=[tenancy.pk]) in card
    client.force_login(desk)
    body = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    card = body.split('data-testid="tenant-profile"')[1].split("</section>")[0]
    assert "880.00" in card and reverse("archives:profile", args=[tenancy.pk]) not in card


def test_the_unit_file_says_when_no_profile_is_recorded(client, tenancy, archivist):
    client.force_login(archivist)
    assert "No profile recorded yet." in client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()


# --- the arrears list ---------------------------------------------------------------------------


@pytest.fixture
def debtors(archivist, alice):
    """Three current tenants in two buildings: two owe money, one is up to date, one paid only
    until last month; and a moved-out tenant who still owes (not on the list: not current)."""
    a, b = BuildingFactory(code="A", name="Tower A"), BuildingFactory(code="B", name="Tower B")
    today = timezone.localdate()
    rows = [
        (a, "1001", "大额欠费公司", "private", Decimal("50000"), today + timedelta(days=30)),
        (b, "2001", "小额欠费公司", "foreign", Decimal("300"), today + timedelta(days=30)),
        (a, "1002", "按时缴费公司", "private", Decimal("0"), today + timedelta(days=60)),
        (b, "2002", "逾期未缴公司", "state_owned", Decimal("0"), today - timedelta(days=20)),
    ]
    made = {}
    for building, number, name, kind, arrears, paid in rows:
        unit = UnitFactory(floor=FloorFactory(building=building, number=int(number[:2])), number=number)
        tenancy = TenancyFactory(unit=unit, client__owner=alice, company_name=name)
        profile_of(tenancy, archivist, company_type=kind, arrears=arrears, fees_paid_until=paid)
        made[name] = tenancy
    gone = TenancyFactory(
        unit=UnitFactory(number="3001"),
        client__owner=alice,
        company_name="已退租公司",
        move_in=today - timedelta(days=400),
        move_out=today - timedelta(days=10),
    )
    profile_of(gone, archivist, arrears=Decimal("7"))
    return made


def names(response) -> list[str]:
    return [p.tenancy.company_name for p in response.context["page_obj"].object_list]


def test_the_arrears_list_shows_who_owes_largest_first(client, debtors, archivist):
    client.force_login(archivist)
    response = client.get(reverse("archives:arrears"))
    assert names(response) == ["大额欠费公司", "小额欠费公司", "逾期未缴公司"]


def test_the_arrears_list_filters_by_building_type_and_amount(client, debtors, archivist):
    client.force_login(archivist)
    url = reverse("archives:arrears")
    building_b = debtors["小额欠费公司"].unit.floor.building
    assert names(client.get(url, {"building": building_b.pk})) == ["小额欠费公司", "逾期未缴公司"]
    assert names(client.get(url, {"company_type": "private"})) == ["大额欠费公司"]
    assert names(client.get(url, {"min_arrears": "1000"})) == ["大额欠费公司"]
    assert names(client.get(url, {"q": "2002"})) == ["逾期未缴公司"]
    before = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert names(client.get(url, {"paid_before": before})) == ["逾期未缴公司"]


def test_the_arrears_list_sorts_by_arrears_both_ways(client, debtors, archivist):
    client.force_login(archivist)
    url = reverse("archives:arrears")
    assert names(client.get(url, {"ordering": "arrears"})) == ["逾期未缴公司", "小额欠费公司", "大额欠费公司"]
    assert names(client.get(url, {"ordering": "-arrears"})) == ["大额欠费公司", "小额欠费公司", "逾期未缴公司"]


def test_the_arrears_list_paginates(client, debtors, archivist):
    client.force_login(archivist)
    response = client.get(reverse("archives:arrears"), {"per_page": "25"})
    assert response.context["page_obj"].paginator.count == 3


def test_the_arrears_list_exports_csv_with_the_filters(client, debtors, archivist):
    client.force_login(archivist)
    response = client.get(reverse("archives:arrears"), {"format": "csv", "min_arrears": "100"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Unit", "Tenant", "Company type", "Staff count", "Paid until", "Arrears (yuan)"]
    assert [(r[1], r[5]) for r in rows[1:]] == [("大额欠费公司", "50000.0"), ("小额欠费公司", "300.0")]


def test_the_arrears_list_exports_excel(client, debtors, archivist):
    client.force_login(archivist)
    response = client.get(reverse("archives:arrears"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Tenant" and [v[1] for v in values[1:]] == ["大额欠费公司", "小额欠费公司", "逾期未缴公司"]
    assert values[1][5] == 50000


def test_the_arrears_list_is_client_services_only(client, debtors, desk, make_user, team):
    for user in (desk, make_user(Role.MANAGER, username="sm", team=team)):
        client.force_login(user)
        assert client.get(reverse("archives:arrears")).status_code == 403


def test_the_arrears_list_says_when_nobody_owes(client, archivist):
    client.force_login(archivist)
    assert "No tenant owes property fees." in client.get(reverse("archives:arrears")).content.decode()


def test_the_arrears_list_queries_stay_constant(client, debtors, archivist, alice, django_assert_max_num_queries):
    client.force_login(archivist)
    for index in range(20):
        tenancy = TenancyFactory(
            unit=UnitFactory(number=f"9{index:03d}"), client__owner=alice, company_name=f"T{index}"
        )
        profile_of(tenancy, archivist, arrears=Decimal(index + 1))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("archives:arrears")).status_code == 200


def test_client_services_see_the_arrears_link_in_the_navbar(client, archivist, desk):
    client.force_login(archivist)
    assert reverse("archives:arrears") in client.get(reverse("home")).content.decode()
    client.force_login(desk)
    assert reverse("archives:arrears") not in client.get(reverse("home")).content.decode()
