"""Reminders of the visit plan (VIS-6): due and overdue items, missed key-account cadences, the
07:30 digest they join and the managers' Monday digest; each said once whatever the reruns."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Client, KeyAccountProfile
from crm.models import Notification
from crm.roles import Role
from tests.factories import ClientFactory, InteractionFactory, TeamFactory
from visits import reminders
from visits.models import MonthPlan, Visit

pytestmark = pytest.mark.django_db

TODAY = date(2030, 1, 10)  # a Thursday, far from the real date: a rule reading the clock would show
MONDAY = date(2030, 1, 14)  # ISO week 2030-W03


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def planned(client, day, kind="onsite", owner=None, **fields):
    return Visit.objects.create(
        owner=owner or client.owner, client=client, kind=kind, planned_for=day, status="planned", **fields
    )


def key_account(owner, cadence, **fields):
    client = ClientFactory(owner=owner, is_key_account=True, **fields)
    KeyAccountProfile.objects.create(client=client, visit_cadence_days=cadence)
    return client


def keys(user, prefix):
    return sorted(Notification.objects.filter(recipient=user, key__startswith=prefix).values_list("key", flat=True))


def digest(user, day=TODAY):
    return Notification.objects.get(recipient=user, key=f"followup-digest:{day.isoformat()}")


# --- per-item reminders ----------------------------------------------------------------------


def test_each_due_or_overdue_item_is_reminded_once_whatever_the_reruns(alice):
    acme = ClientFactory(owner=alice, name="Acme", code="AC1")
    late = planned(acme, TODAY - timedelta(days=3))
    call = planned(acme, TODAY, kind="phone")
    tomorrow = planned(acme, TODAY + timedelta(days=1))  # not due yet
    Visit.objects.create(owner=alice, client=acme, status="done", done_on=TODAY, planned_for=TODAY)
    Visit.objects.create(owner=alice, client=acme, status="cancelled", planned_for=TODAY)
    assert reminders.visit_reminders_send(today=TODAY) == 2
    assert reminders.visit_reminders_send(today=TODAY) == 0, "a rerun the same morning adds nothing"
    assert reminders.visit_reminders_send(today=TODAY + timedelta(days=1)) == 1, "only tomorrow's new item"
    assert keys(alice, "visit:") == sorted(
        [
            f"visit:{late.pk}:2030-01-07",
            f"visit:{call.pk}:2030-01-10",
            f"visit:{tomorrow.pk}:2030-01-11",
        ]
    )
    reminder = Notification.objects.get(recipient=alice, key=f"visit:{late.pk}:2030-01-07")
    assert reminder.title == "On-site visit: Acme (due 2030-01-07)"
    assert reminder.link == f"/clients/{acme.pk}/"
    assert reminder.send_email is False, "the daily digest is the e-mail"
    # Moved to another day, the visit is a new item: reminded once on its new day.
    Visit.objects.filter(pk=late.pk).update(planned_for=TODAY + timedelta(days=2))
    assert reminders.visit_reminders_send(today=TODAY + timedelta(days=2)) == 1
    assert f"visit:{late.pk}:2030-01-12" in keys(alice, "visit:")


def test_a_visit_that_is_the_booked_next_contact_is_reminded_by_the_follow_up_only(alice):
    acme = ClientFactory(owner=alice, name="Acme", code="AC1", next_contact_date=TODAY)
    planned(acme, TODAY)
    assert reminders.visit_reminders_send(today=TODAY) == 0
    assert client_services.followup_reminders_send(today=TODAY) == 1
    assert digest(alice).title == "1 client follow-up is due", "one line for the booking, not two"
    assert Notification.objects.filter(recipient=alice).count() == 2  # the follow-up and the digest


def test_each_account_manager_is_reminded_of_their_own_items_only(alice, bob, make_user):
    planned(ClientFactory(owner=alice, name="Acme"), TODAY)
    planned(ClientFactory(owner=bob, name="Bolt"), TODAY)
    gone = make_user(username="gone", is_active=False)
    planned(ClientFactory(owner=gone), TODAY)
    assert reminders.visit_reminders_send(today=TODAY) == 2
    assert [n.title for n in Notification.objects.filter(recipient=alice)] == ["On-site visit: Acme (due 2030-01-10)"]
    assert [n.title for n in Notification.objects.filter(recipient=bob)] == ["On-site visit: Bolt (due 2030-01-10)"]
    assert not Notification.objects.filter(recipient=gone).exists()


# --- key accounts past their cadence -----------------------------------------------------------


def test_missed_cadence_is_counted_from_the_last_on_site_contact(alice):
    on_time = key_account(alice, 14, name="On time")
    InteractionFactory(client=on_time, kind="visit", occurred_at=at(TODAY - timedelta(days=14)))  # due today
    late = key_account(alice, 14, name="Late")
    InteractionFactory(client=late, kind="meeting", occurred_at=at(TODAY - timedelta(days=15)))
    InteractionFactory(client=late, kind="call", occurred_at=at(TODAY - timedelta(days=1)))  # not on site
    by_plan = key_account(alice, 10, name="By plan")
    Visit.objects.create(owner=alice, client=by_plan, status="done", done_on=TODAY - timedelta(days=5))
    phoned = key_account(alice, 10, name="Phoned")
    Visit.objects.create(owner=alice, client=phoned, kind="phone", status="done", done_on=TODAY - timedelta(days=1))
    never = key_account(alice, 30, name="Never")
    key_account(alice, 7, name="Dormant", status="dormant")
    ClientFactory(owner=alice, name="Not key", is_key_account=False)
    found = {m.client.name: (m.last_contact, m.due) for m in reminders.missed_cadences(TODAY, Client.objects.all())}
    assert found == {
        "Late": (date(2029, 12, 26), date(2030, 1, 9)),
        "Never": (None, None),
        "Phoned": (None, None),
    }
    assert reminders.visit_reminders_send(today=TODAY) == 3
    assert reminders.visit_reminders_send(today=TODAY) == 0
    assert keys(alice, "cadence:") == sorted(
        [
            f"cadence:client:{late.pk}:2030-01-09",
            f"cadence:client:{never.pk}:never",
            f"cadence:client:{phoned.pk}:never",
        ]
    )
    # Visited today, "Late" is on time again; missed again after 14 days, it is a new reminder.
    InteractionFactory(client=late, kind="visit", occurred_at=at(TODAY))
    # 24 Jan: "On time" (due 10 Jan) and "By plan" (due 15 Jan) are late by then, "Late" is due that day.
    assert reminders.visit_reminders_send(today=TODAY + timedelta(days=14)) == 2
    assert reminders.visit_reminders_send(today=TODAY + timedelta(days=15)) == 1
    assert f"cadence:client:{late.pk}:2030-01-24" in keys(alice, "cadence:")


def test_the_reminders_read_a_fixed_number_of_queries(alice):
    def make(n):
        for _ in range(n):
            client = key_account(alice, 7)
            planned(client, TODAY - timedelta(days=1))
            ClientFactory(owner=alice, next_contact_date=TODAY)

    make(1)
    with CaptureQueriesContext(connection) as one:
        assert reminders.visit_reminders_send(today=TODAY) == 2
        client_services.followup_reminders_send(today=TODAY)
    Notification.objects.all().delete()
    make(3)
    with CaptureQueriesContext(connection) as four:
        assert reminders.visit_reminders_send(today=TODAY) == 8
        client_services.followup_reminders_send(today=TODAY)
    assert len(four) == len(one)


# --- the 07:30 digest --------------------------------------------------------------------------


def test_the_digest_lists_follow_ups_visits_and_missed_cadences(alice, bob):
    ClientFactory(owner=alice, name="Zeta", code="Z1", next_contact_date=TODAY)
    planned(ClientFactory(owner=alice, name="Acme", code="AC1"), TODAY - timedelta(days=2))
    planned(ClientFactory(owner=alice, name="Beta", code="B1"), TODAY, kind="phone")
    kappa = key_account(alice, 14, name="Kappa", code="K1")
    InteractionFactory(client=kappa, kind="visit", occurred_at=at(TODAY - timedelta(days=20)))
    key_account(alice, 10, name="Nova", code="N1")
    planned(ClientFactory(owner=bob, name="Bolt", code="BO1"), TODAY)
    assert client_services.followup_reminders_send(today=TODAY) == 1  # the follow-up's own reminder
    sent = digest(alice)
    assert sent.title == "5 reminders for today"
    assert sent.body == (
        "1 client follow-up is due:\n"
        "- Zeta (Z1), 2030-01-10: —\n"
        "\n"
        "2 planned visits or calls are due:\n"
        "- Acme (AC1), 2030-01-08: On-site visit, overdue\n"
        "- Beta (B1), 2030-01-10: Phone follow-up\n"
        "\n"
        "2 key accounts are past their visit cadence:\n"
        "- Kappa (K1): last on-site contact 2029-12-21 (20 days ago), every 14 days\n"
        "- Nova (N1): never visited on site, every 10 days"
    )
    assert sent.link == "/"
    # Bob has only a visit due: his digest is that section alone.
    assert digest(bob).title == "1 planned visit or call is due"
    assert digest(bob).body == "- Bolt (BO1), 2030-01-10: On-site visit"
    assert digest(bob).link == reverse("visits:home")
    count = Notification.objects.count()
    assert client_services.followup_reminders_send(today=TODAY) == 0
    assert Notification.objects.count() == count, "a rerun the same day creates no second digest"


def test_a_cadence_only_digest_leads_to_the_key_accounts(alice):
    key_account(alice, 10, name="Nova", code="N1")
    client_services.followup_reminders_send(today=TODAY)
    assert digest(alice).title == "1 key account is past its visit cadence"
    assert digest(alice).link == reverse("clients:key_accounts")


def test_an_overdue_visit_is_listed_in_each_mornings_digest(alice):
    planned(ClientFactory(owner=alice, name="Acme", code="AC1"), TODAY)
    for day in range(3):
        client_services.followup_reminders_send(today=TODAY + timedelta(days=day))
        reminders.visit_reminders_send(today=TODAY + timedelta(days=day))
    bodies = [digest(alice, TODAY + timedelta(days=day)).body for day in range(3)]
    assert bodies == [
        "- Acme (AC1), 2030-01-10: On-site visit",
        "- Acme (AC1), 2030-01-10: On-site visit, overdue",
        "- Acme (AC1), 2030-01-10: On-site visit, overdue",
    ]
    assert len(keys(alice, "visit:")) == 1, "one reminder of the item, three digests"


# --- the managers' Monday digest ---------------------------------------------------------------


def name(user):
    return user.get_full_name() or user.username


def test_the_monday_digest_tells_each_manager_about_their_team(alice, bob, charlie, manager, make_user, other_team):
    other_manager = make_user(Role.MANAGER, username="west-boss", team=other_team)
    idle_manager = make_user(Role.MANAGER, username="idle-boss", team=TeamFactory(name="Idle"))
    acme = ClientFactory(owner=alice, name="Acme")
    planned(acme, MONDAY - timedelta(days=3))
    planned(acme, MONDAY - timedelta(days=1), kind="phone")
    planned(acme, MONDAY)  # due today: not overdue yet
    ClientFactory(owner=alice, next_contact_date=MONDAY - timedelta(days=2))
    key_account(alice, 14)  # never visited
    planned(ClientFactory(owner=bob), MONDAY)
    planned(ClientFactory(owner=charlie), MONDAY - timedelta(days=7))
    MonthPlan.objects.create(owner=alice, month=date(2030, 1, 1), status="submitted")
    MonthPlan.objects.create(owner=bob, month=date(2030, 1, 1), status="approved")
    MonthPlan.objects.create(owner=bob, month=date(2030, 2, 1), status="draft")
    MonthPlan.objects.create(owner=alice, month=date(2029, 12, 1), status="draft")  # past month: not listed
    assert reminders.team_digest_send(today=MONDAY) == 2
    sent = Notification.objects.get(recipient=manager)
    assert sent.key == "visits-team-digest:2030-W03"
    assert sent.title == "Your team this week: 1 with overdue items, 2 plans not approved"
    assert sent.body == (
        "Overdue, per account manager:\n"
        f"- {name(alice)}: visits or calls 2, follow-ups 1, key accounts 1\n"
        "\n"
        "Plans not approved yet:\n"
        f"- {name(alice)} 2030-01: waiting for your decision\n"
        f"- {name(bob)} 2030-02: Draft"
    )
    west = Notification.objects.get(recipient=other_manager)
    assert (
        west.body
        == f"Overdue, per account manager:\n- {name(charlie)}: visits or calls 1, follow-ups 0, key accounts 0"
    )
    assert not Notification.objects.filter(recipient=idle_manager).exists(), "nothing to say, nothing sent"
    # Once per manager and week, even if the task runs again later that week.
    assert reminders.team_digest_send(today=MONDAY) == 0
    assert reminders.team_digest_send(today=MONDAY + timedelta(days=2)) == 0
    assert reminders.team_digest_send(today=MONDAY + timedelta(days=7)) == 2


# --- through a real worker ---------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_visit_reminders_run_in_a_worker_once(alice):
    from tests.worker import celery_conf, celery_worker, wait_for
    from visits.tasks import visit_reminders_send

    today = timezone.localdate()
    acme = ClientFactory(owner=alice, name="Acme")
    planned(acme, today)
    planned(acme, today - timedelta(days=4), kind="phone")

    def reminded() -> int:
        return Notification.objects.filter(recipient=alice, key__startswith="visit:").count()

    with celery_conf(task_always_eager=False), celery_worker() as queue:
        visit_reminders_send.apply_async(queue=queue)
        wait_for(lambda: reminded() == 2, message="the reminders")
        visit_reminders_send.apply_async(queue=queue)  # the rerun: adds nothing
        planned(ClientFactory(owner=alice, name="Later"), today)
        # The solo worker takes its queue in order: once the third run is done, the rerun was too.
        visit_reminders_send.apply_async(queue=queue)
        wait_for(lambda: reminded() == 3, message="the third run")
    assert reminded() == 3
    assert Notification.objects.filter(recipient=alice).count() == 3
