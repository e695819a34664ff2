"""Each client's latest contacts (ContactSummary): kept in step by every write, rebuilt by the
nightly task, and read by the coverage page of a period that has not ended, whose figures must
agree with the drill-down lists (which probe the interactions and visits themselves)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from clients.models import Interaction
from clients.services import interaction_log
from tests.factories import ClientFactory, InteractionFactory
from visits import services, tasks
from visits.contacts import contacts_refresh
from visits.coverage import Scope, coverage_report, figure_clients
from visits.models import ContactSummary, Visit, VisitPolicy

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 15)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def summary(client) -> tuple | None:
    row = ContactSummary.objects.filter(client=client).first()
    if row is None:
        return None
    return (row.last_interaction_at, row.last_onsite_interaction_at, row.last_visit_on, row.last_onsite_visit_on)


def all_rows() -> list[tuple]:
    return list(
        ContactSummary.objects.order_by("client_id").values_list(
            "client_id", "last_interaction_at", "last_onsite_interaction_at", "last_visit_on", "last_onsite_visit_on"
        )
    )


def done_visit(client, day: date, kind: str = "onsite") -> Visit:
    return Visit.objects.create(
        owner=client.owner, client=client, kind=kind, source="unplanned", status="done", done_on=day
    )


def test_a_client_never_contacted_has_no_summary(alice):
    assert summary(ClientFactory(owner=alice)) is None


def test_logging_contacts_moves_the_latest_and_the_latest_on_site(alice):
    client = ClientFactory(owner=alice)
    interaction_log(client=client, kind="visit", outcome="Tasted the new blend.", by=alice, occurred_at=at(TODAY))
    assert summary(client)[:2] == (at(TODAY), at(TODAY))
    later = at(TODAY + timedelta(days=1))
    interaction_log(client=client, kind="call", outcome="Asked for a quote.", by=alice, occurred_at=later)
    assert summary(client)[:2] == (later, at(TODAY))  # a call is a contact, not on site


def test_a_backdated_contact_does_not_move_the_latest_back(alice):
    client = ClientFactory(owner=alice)
    InteractionFactory(client=client, kind="call", occurred_at=at(TODAY))
    InteractionFactory(client=client, kind="meeting", occurred_at=at(TODAY - timedelta(days=30)))
    assert summary(client)[:2] == (at(TODAY), at(TODAY - timedelta(days=30)))


def test_deleting_the_latest_contact_falls_back_to_the_one_before_and_then_to_none(alice):
    client = ClientFactory(owner=alice)
    first = InteractionFactory(client=client, kind="visit", occurred_at=at(TODAY - timedelta(days=9)))
    latest = InteractionFactory(client=client, kind="call", occurred_at=at(TODAY))
    latest.delete()  # as the admin's delete does
    assert summary(client)[:2] == (at(TODAY - timedelta(days=9)), at(TODAY - timedelta(days=9)))
    first.delete()
    assert summary(client) is None


def test_done_visits_count_and_planned_ones_do_not(alice):
    client = ClientFactory(owner=alice)
    Visit.objects.create(owner=alice, client=client, kind="onsite", status="planned", planned_for=TODAY)
    assert summary(client) is None
    phone = done_visit(client, TODAY - timedelta(days=2), kind="phone")
    assert summary(client)[2:] == (TODAY - timedelta(days=2), None)
    done_visit(client, TODAY - timedelta(days=5))
    assert summary(client)[2:] == (TODAY - timedelta(days=2), TODAY - timedelta(days=5))
    phone.delete()
    assert summary(client)[2:] == (TODAY - timedelta(days=5), TODAY - timedelta(days=5))


def test_a_planned_visit_logged_from_the_plan_is_in_the_summary(alice):
    """The plan marks its visit done with a conditional UPDATE, which sends no signal."""
    client = ClientFactory(owner=alice)
    today = timezone.localdate()
    planned = Visit.objects.create(owner=alice, client=client, kind="onsite", status="planned", planned_for=today)
    services.visit_log(
        client=client,
        by=alice,
        kind="onsite",
        outcome="Checked the shelf.",
        visit=planned,
        next_contact_date=today + timedelta(days=14),
    )
    planned.refresh_from_db()
    assert planned.status == Visit.Status.DONE
    assert summary(client)[2:] == (today, today)


def test_a_call_logged_on_the_card_fulfils_the_plan_and_is_in_the_summary(alice):
    client = ClientFactory(owner=alice)
    today = timezone.localdate()
    planned = Visit.objects.create(owner=alice, client=client, kind="phone", status="planned", planned_for=today)
    interaction_log(client=client, kind="call", outcome="Confirmed the order.", by=alice)
    planned.refresh_from_db()
    assert planned.status == Visit.Status.DONE
    assert summary(client)[2] == today


def test_the_full_refresh_finds_what_a_bulk_load_left_out(alice, bob):
    clients = [ClientFactory(owner=owner) for owner in (alice, alice, bob)]
    InteractionFactory(client=clients[0], kind="visit", occurred_at=at(TODAY - timedelta(days=3)))
    done_visit(clients[1], TODAY - timedelta(days=1), kind="phone")
    kept = all_rows()
    Interaction.objects.bulk_create(  # no signal: the summary does not see these
        [
            Interaction(client=clients[2], kind="meeting", outcome="Fair.", occurred_at=at(TODAY), recorded_by=bob),
            Interaction(client=clients[0], kind="call", outcome="Call.", occurred_at=at(TODAY), recorded_by=alice),
        ]
    )
    assert all_rows() == kept
    assert contacts_refresh() == 3
    assert summary(clients[0])[:2] == (at(TODAY), at(TODAY - timedelta(days=3)))
    assert summary(clients[1])[2:] == (TODAY - timedelta(days=1), None)
    assert summary(clients[2])[:2] == (at(TODAY), at(TODAY))


def test_refreshing_one_client_leaves_the_others_alone(alice):
    one, other = ClientFactory(owner=alice), ClientFactory(owner=alice)
    InteractionFactory(client=one, kind="call", occurred_at=at(TODAY))
    InteractionFactory(client=other, kind="call", occurred_at=at(TODAY))
    ContactSummary.objects.filter(client=other).update(last_interaction_at=at(TODAY - timedelta(days=99)))
    assert contacts_refresh(client_ids=[one.pk]) == 1
    assert summary(other)[0] == at(TODAY - timedelta(days=99))
    assert contacts_refresh(client_ids=[]) == 0


@pytest.fixture
def november(alice, bob):
    """Alice's clients on 15 Nov 2026 (rotation 90 days: the window runs from 1 Sep to 30 Nov).

    N1 visited on site 3 Nov.                                     contacted, on site
    N2 called 10 Nov.                                             contacted
    N3 meeting 20 Oct, call 5 Sep.                                within rotation
    N4 no contact.                                                never, past rotation
    N5 on-site visit done 12 Nov, no interaction.                 contacted, on site
    N6 called 1 Aug.                                              past rotation
    N7 called 20 Aug, and a call booked in as of 2 Dec (after the period: read by probes).
                                                                  past rotation
    N8 dormant, visited 4 Nov: not active.
    Bob: one client called 2 Nov.
    """
    c = {code: ClientFactory(code=code, name=f"{code} 商贸", owner=alice) for code in [f"N{i}" for i in range(1, 8)]}
    c["N8"] = ClientFactory(code="N8", name="N8 商贸", owner=alice, status="dormant")
    InteractionFactory(client=c["N1"], kind="visit", occurred_at=at(date(2026, 11, 3)))
    InteractionFactory(client=c["N2"], kind="call", occurred_at=at(date(2026, 11, 10)))
    InteractionFactory(client=c["N3"], kind="meeting", occurred_at=at(date(2026, 10, 20)))
    InteractionFactory(client=c["N3"], kind="call", occurred_at=at(date(2026, 9, 5)))
    done_visit(c["N5"], date(2026, 11, 12))
    InteractionFactory(client=c["N6"], kind="call", occurred_at=at(date(2026, 8, 1)))
    InteractionFactory(client=c["N7"], kind="call", occurred_at=at(date(2026, 8, 20)))
    InteractionFactory(client=c["N7"], kind="call", occurred_at=at(date(2026, 12, 2)))
    InteractionFactory(client=c["N8"], kind="visit", occurred_at=at(date(2026, 11, 4)))
    InteractionFactory(client=ClientFactory(code="B1", owner=bob), kind="call", occurred_at=at(date(2026, 11, 2)))
    VisitPolicy.current()
    return c


def this_month() -> Scope:
    return Scope(start=date(2026, 11, 1), end=date(2026, 11, 30), rotation_days=90, today=TODAY)


def contact_figures(user) -> tuple:
    total = coverage_report(user, this_month()).total
    return (total.active, total.contacted, total.contacted_onsite, total.never, total.past_rotation)


def drill_down_counts(user) -> tuple:
    figures = ("active", "contacted", "contacted_onsite", "never", "past_rotation")
    return tuple(figure_clients(user, this_month(), figure).count() for figure in figures)


def test_this_months_figures_worked_out_by_hand(alice, november):
    assert contact_figures(alice) == (7, 3, 2, 1, 3)
    assert [c.code for c in figure_clients(alice, this_month(), "past_rotation")] == ["N4", "N6", "N7"]


def test_the_figures_read_from_the_summary_agree_with_the_drill_down_lists(alice, manager, admin_user, november):
    for user in (alice, manager, admin_user):
        assert contact_figures(user) == drill_down_counts(user), user


def test_a_lost_summary_is_rebuilt_by_the_nightly_task_to_the_same_figures(alice, november):
    before, rows = contact_figures(alice), all_rows()
    ContactSummary.objects.all().delete()
    assert contact_figures(alice) == (7, 0, 0, 7, 7)  # the page reads the summary: all "never"
    tasks.contacts_refresh_task()
    assert all_rows() == rows
    assert contact_figures(alice) == before
