"""The fee schedule kept by finance (REP-5, handbook 5.2): drafts, publishing with an effective
date, old prices kept on old orders, the printed notice, and who may do what."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from repairs import fees, workflow
from repairs.forms import LineForm
from repairs.models import FeeItem, FeeSchedule
from repairs.workflow import LineInput
from tests.factories import FeeItemFactory, FeeScheduleFactory
from tests.repairs.test_workflow import to_status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def published(on: date, prices: dict[str, int]) -> FeeSchedule:
    schedule = FeeScheduleFactory(effective_from=on)
    for code, price in prices.items():
        FeeItemFactory(schedule=schedule, code=code, name=code, price=price)
    return schedule


def test_in_effect_gives_the_items_of_the_latest_schedule_whose_date_has_come():
    published(date(2026, 1, 1), {"call-out": 30})
    published(date(2026, 6, 1), {"call-out": 35})
    price = lambda on: FeeItem.objects.in_effect(on=on).get(code="call-out").price  # noqa: E731
    assert price(date(2026, 5, 31)) == Decimal("30"), "the day before, the old schedule"
    assert price(date(2026, 6, 1)) == Decimal("35"), "on the day, the new one"
    assert not FeeItem.objects.in_effect(on=date(2025, 12, 31)).exists(), "before the first schedule, nothing"


def test_a_draft_is_never_in_effect(finance):
    published(TODAY() - timedelta(days=3), {"call-out": 30})
    draft = fees.fee_schedule_draft(by=finance)
    fees.fee_item_save(schedule=draft, item=draft.items.get(), by=finance, price=Decimal(99))
    assert FeeItem.objects.in_effect().get(code="call-out").price == Decimal("30")


def test_the_draft_starts_as_a_copy_of_every_field_of_the_schedule_in_force(finance):
    old = published(TODAY() - timedelta(days=3), {})
    FeeItemFactory(schedule=old, code="tap", name="水龙头", kind="material", category="plumbing", unit="个", price=85)
    FeeItemFactory(schedule=old, code="gone", active=False)
    draft = fees.fee_schedule_draft(by=finance)
    copied = draft.items.get()
    original = old.items.get(code="tap")
    for name in fees.copied_fields():
        assert getattr(copied, name) == getattr(original, name), name
    assert copied.pk != original.pk and copied.schedule == draft
    assert set(fees.copied_fields()) >= {"code", "name", "kind", "category", "unit", "price"}
    assert fees.fee_schedule_draft(by=finance) == draft, "one draft at a time"


def test_publishing_takes_effect_on_its_date_and_keeps_the_old_schedule(finance):
    old = published(TODAY() - timedelta(days=30), {"call-out": 30, "ac-clean": 120})
    draft = fees.fee_schedule_draft(by=finance)
    fees.fee_item_save(schedule=draft, item=draft.items.get(code="call-out"), by=finance, price=Decimal(35))
    fees.fee_item_retire(item=draft.items.get(code="ac-clean"), by=finance)
    fees.fee_item_save(schedule=draft, by=finance, code="card", name="门禁卡", kind="material", price=Decimal(20))
    tomorrow = TODAY() + timedelta(days=1)
    fees.fee_schedule_publish(schedule=draft, effective_from=tomorrow, by=finance, note="调价")
    draft.refresh_from_db()
    assert (draft.state, draft.effective_from, draft.published_by, draft.note) == (
        "published",
        tomorrow,
        finance,
        "调价",
    )
    today_items = dict(FeeItem.objects.in_effect().values_list("code", "price"))
    assert today_items == {"call-out": Decimal("30.00"), "ac-clean": Decimal("120.00")}, "until tomorrow, the old one"
    tomorrow_items = dict(FeeItem.objects.in_effect(on=tomorrow).values_list("code", "price"))
    assert tomorrow_items == {"call-out": Decimal("35.00"), "card": Decimal("20.00")}
    assert old.items.count() == 2, "the old schedule keeps its items"
    assert draft.history.first().history_user == finance, "publishing is audited"


def test_a_published_schedule_is_never_edited(finance):
    schedule = published(TODAY(), {"call-out": 30})
    item = schedule.items.get()
    with pytest.raises(ValidationError):
        fees.fee_item_save(schedule=schedule, item=item, by=finance, price=Decimal(1))
    with pytest.raises(ValidationError):
        fees.fee_item_retire(item=item, by=finance)
    with pytest.raises(ValidationError):
        fees.fee_schedule_publish(schedule=schedule, effective_from=TODAY() + timedelta(days=5), by=finance)
    item.refresh_from_db()
    assert item.price == Decimal("30.00")


@pytest.mark.parametrize(
    ("days", "field_error"),
    [(-1, "not in the past"), (0, None)],
)
def test_a_schedule_takes_effect_today_or_later(finance, days, field_error):
    published(TODAY() - timedelta(days=10), {"call-out": 30})
    draft = fees.fee_schedule_draft(by=finance)
    if field_error:
        with pytest.raises(ValidationError) as refused:
            fees.fee_schedule_publish(schedule=draft, effective_from=TODAY() + timedelta(days=days), by=finance)
        assert field_error in str(refused.value.message_dict["effective_from"])
        assert FeeSchedule.objects.get(pk=draft.pk).is_draft
    else:
        fees.fee_schedule_publish(schedule=draft, effective_from=TODAY(), by=finance)
        assert FeeItem.objects.in_effect().get().schedule == draft, "effective today: quoted from today"


def test_two_schedules_cannot_take_effect_on_the_same_day(finance):
    published(TODAY() + timedelta(days=7), {"call-out": 30})
    draft = fees.fee_schedule_draft(by=finance)
    with pytest.raises(ValidationError) as refused:
        fees.fee_schedule_publish(schedule=draft, effective_from=TODAY() + timedelta(days=7), by=finance)
    assert "effective_from" in refused.value.message_dict


def test_an_order_quoted_before_keeps_its_price_after_a_new_schedule_takes_effect(new_order, supervisor, tech, finance):
    old = published(TODAY() - timedelta(days=30), {"tap-labour": 80})
    order = to_status(new_order, "in_progress", supervisor, tech, {"labour": old.items.get()})
    draft = fees.fee_schedule_draft(by=finance)
    fees.fee_item_save(schedule=draft, item=draft.items.get(), by=finance, price=Decimal(95))
    fees.fee_schedule_publish(schedule=draft, effective_from=TODAY(), by=finance)
    order = workflow.complete(
        order=order, by=tech.user, work_notes="Done", signature="M 1 1 L 2 2 L 3 3", signed_by="王"
    )
    line = order.lines.get()
    assert (line.unit_price, line.amount, order.total) == (Decimal("80.00"), Decimal("80.00"), Decimal("80.00"))
    assert FeeItem.objects.in_effect().get().price == Decimal("95.00"), "a new quote would use the new price"


def test_the_quote_form_offers_only_the_items_in_effect(finance):
    old = published(TODAY() - timedelta(days=30), {"call-out": 30})
    future = published(TODAY() + timedelta(days=30), {"call-out": 40})
    form = LineForm(data={"fee_item": future.items.get().pk, "quantity": "1"})
    assert list(form.fields["fee_item"].queryset) == [old.items.get()]
    assert not form.is_valid() and "fee_item" in form.errors


def test_a_requote_after_a_new_schedule_preselects_the_same_item_at_its_new_price(
    client, new_order, supervisor, tech, finance
):
    old = published(TODAY() - timedelta(days=30), {"tap-labour": 80})
    order = to_status(new_order, "quoted", supervisor, tech, {"labour": old.items.get()})
    new = published(TODAY(), {"tap-labour": 95})
    client.force_login(tech.user)
    formset = client.get(order.get_absolute_url()).context["line_formset"]
    assert formset.initial[0]["fee_item"] == new.items.get().pk


def test_a_quote_uses_todays_price(new_order, supervisor, tech):
    published(TODAY() - timedelta(days=30), {"tap-labour": 80})
    new = published(TODAY(), {"tap-labour": 95})
    order = to_status(new_order, "arrived", supervisor, tech, None)
    order = workflow.quote(order=order, lines=[LineInput(FeeItem.objects.in_effect().get(), Decimal(2))], by=tech.user)
    assert order.lines.get().fee_item.schedule == new and order.total == Decimal("190.00")


# The pages


def test_finance_drafts_changes_and_publishes_a_schedule_in_the_app(client, finance):
    published(TODAY() - timedelta(days=30), {"call-out": 30})
    client.force_login(finance)
    response = client.post(reverse("repairs:fee_schedule_draft"), follow=True)
    draft = FeeSchedule.objects.get(state="draft")
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    item = draft.items.get()
    data = {"code": "call-out", "name": "上门服务费", "kind": "labour", "category": "", "unit": "次", "price": "35"}
    assert client.post(reverse("repairs:fee_item_edit", args=[item.pk]), data).status_code == 302
    new = {"code": "card", "name": "门禁卡", "kind": "material", "category": "", "unit": "张", "price": "20"}
    assert client.post(reverse("repairs:fee_item_create", args=[draft.pk]), new).status_code == 302
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "门禁卡" in page and "35.00" in page
    response = client.post(
        reverse("repairs:fee_schedule_publish", args=[draft.pk]), {"effective_from": TODAY().isoformat(), "note": ""}
    )
    assert response.status_code == 302
    assert dict(FeeItem.objects.in_effect().values_list("code", "price")) == {
        "call-out": Decimal("35.00"),
        "card": Decimal("20.00"),
    }


def test_bad_input_on_the_draft_is_shown_next_to_the_field(client, finance):
    published(TODAY() - timedelta(days=30), {"call-out": 30})
    client.force_login(finance)
    draft = fees.fee_schedule_draft(by=finance)
    duplicate = {"code": "call-out", "name": "again", "kind": "labour", "unit": "次", "price": "5"}
    response = client.post(reverse("repairs:fee_item_create", args=[draft.pk]), duplicate)
    assert response.status_code == 200
    assert "already has an item with this code" in str(response.context["item_form"].errors["code"])
    negative = {**duplicate, "code": "neg", "price": "-1"}
    response = client.post(reverse("repairs:fee_item_create", args=[draft.pk]), negative)
    assert "price" in response.context["item_form"].errors
    response = client.post(
        reverse("repairs:fee_schedule_publish", args=[draft.pk]),
        {"effective_from": (TODAY() - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["publish_form"].errors
    assert draft.items.count() == 1 and FeeSchedule.objects.get(pk=draft.pk).is_draft


def test_published_items_cannot_be_changed_from_the_page(client, finance):
    schedule = published(TODAY(), {"call-out": 30})
    client.force_login(finance)
    item = schedule.items.get()
    data = {"code": "call-out", "name": "x", "kind": "labour", "unit": "次", "price": "1"}
    client.post(reverse("repairs:fee_item_edit", args=[item.pk]), data)
    client.post(reverse("repairs:fee_item_retire", args=[item.pk]))
    item.refresh_from_db()
    assert item.price == Decimal("30.00") and item.name == "call-out"


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR])
def test_only_finance_keeps_the_schedule_others_read_the_published_one(client, make_user, finance, role):
    schedule = published(TODAY(), {"call-out": 30})
    draft = fees.fee_schedule_draft(by=finance)
    client.force_login(make_user(role))
    assert client.get(reverse("repairs:fee_schedules")).status_code == 200
    assert client.get(schedule.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404, "the draft is finance's working copy"
    assert client.post(reverse("repairs:fee_schedule_draft")).status_code == 403
    item = draft.items.get()
    assert client.post(reverse("repairs:fee_item_retire", args=[item.pk])).status_code == 403
    assert FeeItem.objects.filter(pk=item.pk).exists()


def test_the_printed_notice_lists_the_published_prices_and_its_date(client, finance):
    schedule = published(date(2026, 3, 1), {"call-out": 30})
    schedule.items.update(name="上门服务费")
    client.force_login(finance)
    response = client.get(reverse("repairs:fee_schedule_print", args=[schedule.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    # The date in the reader's language's format, as on every other page.
    assert "上门服务费" in page and "30.00" in page and "In force from 1 Mar 2026" in page
    chinese = client.get(reverse("repairs:fee_schedule_print", args=[schedule.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "2026年3月1日" in chinese.content.decode()
    assert "fee-notice.css" in page and "css/report-print.css" in page  # A4 page rules
    draft = fees.fee_schedule_draft(by=finance)
    assert client.get(reverse("repairs:fee_schedule_print", args=[draft.pk])).status_code == 404


def test_the_schedule_page_shows_the_price_before(client, finance):
    published(TODAY() - timedelta(days=30), {"call-out": 30, "ac-clean": 120})
    draft = fees.fee_schedule_draft(by=finance)
    fees.fee_item_save(schedule=draft, item=draft.items.get(code="call-out"), by=finance, price=Decimal(35))
    fees.fee_item_retire(item=draft.items.get(code="ac-clean"), by=finance)
    client.force_login(finance)
    response = client.get(draft.get_absolute_url())
    assert (response.context["rows"][0][1], response.context["retired"]) == (Decimal("30.00"), ["ac-clean"])
