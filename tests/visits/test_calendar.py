"""The visit calendar (month, week), the home and client-card panels, and the personal ICS feed."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, KeyAccountProfile
from crm.roles import Role
from tests.factories import ClientFactory
from visits import feeds
from visits.models import CalendarDay, CalendarFeed, MonthPlan, Visit

pytestmark = pytest.mark.django_db

CALENDAR = reverse("visits:calendar")


def planned(client, day, kind="onsite", owner=None):
    return Visit.objects.create(owner=owner or client.owner, client=client, kind=kind, planned_for=day)


def done(client, day, kind="onsite"):
    return Visit.objects.create(owner=client.owner, client=client, kind=kind, status="done", done_on=day)


def days_of(response):
    return {day.day: day for day in response.context["days"]}


# --- the calendar page ---------------------------------------------------------------------------


def test_the_month_shows_my_planned_and_done_items_and_the_holiday_calendar(client, alice, bob):
    acme = ClientFactory(owner=alice, name="Acme")
    planned(acme, date(2030, 1, 7))
    planned(acme, date(2030, 1, 7), kind="phone")
    done(acme, date(2030, 1, 3))
    planned(acme, date(2030, 2, 1))  # next month
    planned(ClientFactory(owner=bob, name="Bolt"), date(2030, 1, 7))
    CalendarDay.objects.create(date=date(2030, 1, 1), name="元旦")
    CalendarDay.objects.create(date=date(2030, 1, 5), is_working=True, name="调休")
    client.force_login(alice)
    response = client.get(CALENDAR, {"month": "2030-01"})
    assert response.status_code == 200
    days = days_of(response)
    assert len(days) == 31
    assert [(v.client.name, v.kind) for v in days[date(2030, 1, 7)].items] == [("Acme", "onsite"), ("Acme", "phone")]
    assert [v.status for v in days[date(2030, 1, 3)].items] == ["done"]
    assert sum(len(day.items) for day in days.values()) == 3
    assert days[date(2030, 1, 1)].working is False and days[date(2030, 1, 1)].name == "元旦"
    assert days[date(2030, 1, 5)].working is True, "a swapped Saturday (调休) is a working day"
    assert days[date(2030, 1, 6)].working is False
    assert days[date(2030, 1, 2)].working is True
    # The grid is whole weeks: Monday 31 Dec 2029 to Sunday 3 Feb 2030.
    weeks = response.context["weeks"]
    assert weeks[0][0].day == date(2029, 12, 31) and weeks[-1][-1].day == date(2030, 2, 3)
    assert [v.client.name for v in weeks[-1][4].items] == ["Acme"], "1 Feb shows in the grid, not in the list"
    body = response.content.decode()
    assert "Bolt" not in body
    assert "元旦" in body and "调休" in body
    assert 'data-testid="calendar-list"' in body, "phones get the days as a list"
    assert "month=2029-12" in body and "month=2030-02" in body


def test_the_week_shows_its_seven_days_and_marks_overdue_items(client, alice):
    acme = ClientFactory(owner=alice, name="Acme")
    today = timezone.localdate()
    late = planned(acme, today - timedelta(days=1))
    year, week, _day = late.planned_for.isocalendar()
    client.force_login(alice)
    response = client.get(CALENDAR, {"week": f"{year}-W{week:02d}"})
    days = days_of(response)
    monday = late.planned_for - timedelta(days=late.planned_for.weekday())
    assert sorted(days) == [monday + timedelta(days=n) for n in range(7)]
    assert days[late.planned_for].items == [late]
    assert "(overdue)" in response.content.decode()


@pytest.mark.parametrize("query", [{"month": "2030-13"}, {"week": "2030-W60"}, {"month": "x"}, {"week": "2030-1"}])
def test_an_unreadable_period_is_this_month(client, alice, query):
    client.force_login(alice)
    response = client.get(CALENDAR, query)
    assert response.status_code == 200
    assert response.context["period"].first == timezone.localdate().replace(day=1)


def test_who_sees_whose_calendar(client, alice, bob, charlie, manager, make_user):
    planned(ClientFactory(owner=alice, name="Acme"), date(2030, 1, 7))
    planned(ClientFactory(owner=charlie, name="Charlie Co"), date(2030, 1, 7))
    month = {"month": "2030-01"}
    client.force_login(alice)
    assert client.get(CALENDAR, {**month, "owner": alice.pk}).status_code == 200
    assert client.get(CALENDAR, {**month, "owner": bob.pk}).status_code == 404, "a teammate's plan is not mine"
    client.force_login(bob)
    assert "Acme" not in client.get(CALENDAR, month).content.decode()
    client.force_login(manager)
    response = client.get(CALENDAR, {**month, "owner": alice.pk})
    assert response.status_code == 200 and "Acme" in response.content.decode()
    assert [person.username for person in response.context["owners"]] == ["alice", "bob"]
    assert client.get(CALENDAR, {**month, "owner": charlie.pk}).status_code == 404, "another team's"
    assert client.get(CALENDAR, {**month, "owner": "x"}).status_code == 404
    assert client.get(CALENDAR, month).context["owner"] == alice, "the team's first account manager"
    client.force_login(make_user(Role.ADMIN))
    assert "Charlie Co" in client.get(CALENDAR, {**month, "owner": charlie.pk}).content.decode()
    client.force_login(make_user(Role.FRONT_DESK))
    assert client.get(CALENDAR).status_code == 403
    client.logout()
    assert client.get(CALENDAR).status_code == 302


def test_the_calendar_reads_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries):
    client.force_login(alice)
    acme = ClientFactory(owner=alice)
    planned(acme, date(2030, 1, 7))
    with CaptureQueriesContext(connection) as one:
        client.get(CALENDAR, {"month": "2030-01"})
    for n in range(10):
        planned(ClientFactory(owner=alice), date(2030, 1, 1 + n))
        done(acme, date(2030, 1, 20 + n))
    with django_assert_max_num_queries(len(one)):
        response = client.get(CALENDAR, {"month": "2030-01"})
    assert sum(len(day.items) for day in response.context["days"]) == 21


# --- panels ----------------------------------------------------------------------------------------


def test_the_home_panel_of_an_account_manager(client, alice, bob):
    today = timezone.localdate()
    acme = ClientFactory(owner=alice, name="Acme")
    planned(acme, today)
    planned(ClientFactory(owner=alice, name="Beta"), today, kind="phone")
    planned(acme, today - timedelta(days=3))
    planned(acme, today + timedelta(days=1))
    planned(ClientFactory(owner=bob, name="Bolt"), today)
    key = ClientFactory(owner=alice, name="Kappa", is_key_account=True)
    KeyAccountProfile.objects.create(client=key, visit_cadence_days=14)
    client.force_login(alice)
    response = client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["template"] == "visits/home_panel.html")
    assert sorted(v.client.name for v in panel["today_items"]) == ["Acme", "Beta"]
    assert panel["overdue_count"] == 1
    assert [m.client.name for m in panel["missed"]] == ["Kappa"]
    body = response.content.decode()
    assert 'data-testid="visits-panel"' in body and "Kappa" in body and "Bolt" not in body
    assert "1 planned item is overdue" in body


def test_the_home_panel_reads_a_fixed_number_of_queries(client, alice):
    today = timezone.localdate()
    client.force_login(alice)
    planned(ClientFactory(owner=alice), today)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for _ in range(5):
        planned(ClientFactory(owner=alice), today)
        planned(ClientFactory(owner=alice), today - timedelta(days=2))
        KeyAccountProfile.objects.create(client=ClientFactory(owner=alice, is_key_account=True))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    assert len(many) == len(one)
    panel = next(p for p in response.context["panels"] if p["template"] == "visits/home_panel.html")
    assert (len(panel["today_items"]), panel["overdue_count"], panel["missed_count"]) == (6, 5, 5)


def test_the_home_panel_of_a_manager(client, alice, bob, charlie, manager):
    today = timezone.localdate()
    planned(ClientFactory(owner=alice), today - timedelta(days=1))
    planned(ClientFactory(owner=alice), today - timedelta(days=2))
    planned(ClientFactory(owner=bob), today - timedelta(days=1))
    planned(ClientFactory(owner=bob), today)
    planned(ClientFactory(owner=charlie), today - timedelta(days=1))
    waiting = MonthPlan.objects.create(owner=bob, month=today.replace(day=1), status="submitted")
    MonthPlan.objects.create(owner=alice, month=today.replace(day=1), status="draft")
    MonthPlan.objects.create(owner=charlie, month=today.replace(day=1), status="submitted")
    client.force_login(manager)
    response = client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p["template"] == "visits/home_panel.html")
    assert [(row["owner__username"], row["n"]) for row in panel["team_overdue"]] == [("alice", 2), ("bob", 1)]
    assert panel["awaiting"] == [waiting]


def test_other_roles_get_no_visits_panel(client, make_user):
    for role in (Role.FRONT_DESK, Role.FINANCE, Role.ADMIN):
        client.force_login(make_user(role))
        templates = [p["template"] for p in client.get(reverse("home")).context["panels"]]
        assert "visits/home_panel.html" not in templates


def test_the_client_card_shows_next_planned_and_last_done_visits(client, alice, manager):
    today = timezone.localdate()
    acme = ClientFactory(owner=alice, name="Acme")
    soon = planned(acme, today + timedelta(days=2))
    late = planned(acme, today - timedelta(days=1), kind="phone")
    older, newer = done(acme, today - timedelta(days=20)), done(acme, today - timedelta(days=5))
    planned(ClientFactory(owner=alice), today)  # another client's
    for user in (alice, manager):
        client.force_login(user)
        response = client.get(reverse("clients:detail", args=[acme.pk]))
        panel = next(p for p in response.context["panels"] if p["template"] == "visits/client_panel.html")
        assert panel["next_visits"] == [late, soon]
        assert panel["done_visits"] == [newer, older]
        assert 'data-testid="visits-client-panel"' in response.content.decode()


# --- the ICS feed ------------------------------------------------------------------------------------


def unfold(body: bytes) -> list[str]:
    """The content lines of an iCalendar body (RFC 5545 3.1): CRLF ends, a leading space continues."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events(body: bytes) -> list[dict[str, str]]:
    found, current = [], None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _sep, value = line.partition(":")
            current[name] = value
    return found


def make_feed(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("visits:feed_reset"))
    assert response.status_code == 302
    return reverse("visits:feed", args=[CalendarFeed.objects.get(user=user).token])


def test_the_feed_lists_my_planned_visits_as_all_day_events(client, alice, bob):
    today = timezone.localdate()
    acme = ClientFactory(owner=alice, name="Acme, Inc; 北京\\分公司", code="AC1")
    first = planned(acme, today - timedelta(days=30))
    planned(acme, today - timedelta(days=31))  # out of the window
    last = planned(acme, today + timedelta(days=90), kind="phone")
    planned(acme, today + timedelta(days=91))
    done(acme, today)
    planned(ClientFactory(owner=bob, name="Bolt"), today)
    url = make_feed(client, alice)
    client.logout()
    response = client.get(url)  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = unfold(response.content)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-1] == "END:VCALENDAR"
    found = events(response.content)
    assert [event["UID"] for event in found] == [f"visit-{first.pk}@visits.crm", f"visit-{last.pk}@visits.crm"]
    assert found[0]["DTSTART;VALUE=DATE"] == f"{first.planned_for:%Y%m%d}"
    assert found[0]["DTEND;VALUE=DATE"] == f"{first.planned_for + timedelta(days=1):%Y%m%d}"
    assert found[0]["SUMMARY"] == "On-site visit: Acme\\, Inc\\; 北京\\\\分公司"
    assert found[1]["SUMMARY"] == "Phone follow-up: Acme\\, Inc\\; 北京\\\\分公司"
    assert found[0]["URL"] == f"http://testserver/clients/{acme.pk}/"
    assert "Bolt" not in response.content.decode()
    assert [event["UID"] for event in events(client.get(url).content)] == [e["UID"] for e in found], "stable UIDs"


def test_long_lines_fold_at_75_octets_without_cutting_a_character(client, alice):
    acme = ClientFactory(owner=alice, name="上海" * 40 + " Trading, Ltd.")
    planned(acme, timezone.localdate())
    url = make_feed(client, alice)
    body = client.get(url).content
    physical = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical), "the summary is folded"
    for line in physical:
        line.decode("utf-8")  # a character cut in two would not decode
    assert events(body)[0]["SUMMARY"] == "On-site visit: " + "上海" * 40 + " Trading\\, Ltd."


def test_escaping_and_folding_rules():
    assert feeds.ics_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert feeds.ics_escape("bell\x07") == "bell"
    line = "SUMMARY:" + "é" * 70  # 8 + 140 octets
    folded = feeds.ics_fold(line)
    parts = folded.split("\r\n")
    # 8 + 33×2 = 74 octets (a 34th é would make 76: it goes on); then " " + 37×2 = 75.
    assert [len(part.encode()) for part in parts] == [74, 75]
    assert "".join(part[1:] if n else part for n, part in enumerate(parts)) == line
    assert feeds.ics_fold("SHORT:x") == "SHORT:x"


def test_a_new_address_makes_the_old_one_404_and_turning_off_too(client, alice):
    old = make_feed(client, alice)
    assert client.get(old).status_code == 200
    new = make_feed(client, alice)  # "new address"
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(alice)
    client.post(reverse("visits:feed_reset"), {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=alice).exists()
    assert client.get(new).status_code == 404
    assert client.get(reverse("visits:feed", args=["x" * 43])).status_code == 404


def test_the_calendar_page_shows_my_feed_address_only(client, alice, bob):
    url = make_feed(client, alice)
    body = client.get(CALENDAR).content.decode()
    assert f"http://testserver{url}" in body
    client.force_login(bob)
    body = client.get(CALENDAR).content.decode()
    assert url not in body and "Create my calendar address" in body


def test_only_account_managers_managers_and_admins_have_feeds(client, alice, manager, make_user):
    for user in (manager, make_user(Role.ADMIN)):
        assert client.get(make_feed(client, user)).status_code == 200
    desk = make_user(Role.FRONT_DESK)
    client.force_login(desk)
    assert client.post(reverse("visits:feed_reset")).status_code == 403
    assert not CalendarFeed.objects.filter(user=desk).exists()
    # A feed left behind by a role change or a departure no longer answers.
    feed = CalendarFeed.objects.create(user=make_user(Role.FRONT_DESK))
    assert client.get(reverse("visits:feed", args=[feed.token])).status_code == 404
    url = make_feed(client, alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_a_client_handed_to_another_account_manager_leaves_the_feed(client, alice, bob):
    acme = ClientFactory(owner=alice, name="Acme")
    planned(acme, timezone.localdate())
    url = make_feed(client, alice)
    assert len(events(client.get(url).content)) == 1
    Client.objects.filter(pk=acme.pk).update(owner=bob)
    assert events(client.get(url).content) == []
