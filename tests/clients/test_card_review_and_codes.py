"""Client files, finished (CLI-1, CLI-4): codes numbered by the admin's pattern, unique under
concurrency; cards not updated within the policy's period flagged, queued and reminded once."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.card_review import card_review_reminders_send, stale_before
from clients.codes import client_code_next, client_code_preview
from clients.models import Client, ClientFilePolicy
from crm.models import Notification
from tests.clients.test_client_card import card_data
from tests.concurrency import RACERS, logged_in, race
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def aged(client: Client, days: int) -> Client:
    when = timezone.make_aware(datetime.combine(TODAY - timedelta(days=days), datetime.min.time())) + timedelta(hours=9)
    Client.objects.filter(pk=client.pk).update(card_updated_at=when)
    client.refresh_from_db()
    return client


# --- codes ------------------------------------------------------------------------------------


def test_a_new_client_left_without_a_code_gets_the_next_of_the_pattern(client, alice):
    ClientFactory(owner=alice, code="C0041")
    ClientFactory(owner=alice, code="C0007")
    ClientFactory(owner=alice, code="CX999")  # not of the pattern: letters after the prefix
    client.force_login(alice)
    form = client.get(reverse("clients:create")).content.decode()
    assert "C0042" in form  # the hint shows the code it will get
    response = client.post(reverse("clients:create"), card_data(code=""))
    assert response.status_code == 302
    assert Client.objects.get(name="New Bank Branch").code == "C0042"
    client.post(reverse("clients:create"), card_data(code="", name="Second branch"))
    assert Client.objects.get(name="Second branch").code == "C0043"


def test_a_typed_code_is_kept_and_a_taken_number_is_skipped(client, alice):
    client.force_login(alice)
    client.post(reverse("clients:create"), card_data(code="c0001"))
    assert Client.objects.filter(code="C0001", name="New Bank Branch").exists()
    client.post(reverse("clients:create"), card_data(code="", name="Numbered"))
    assert Client.objects.get(name="Numbered").code == "C0002"
    ClientFactory(owner=alice, code="C0003")  # imported by hand meanwhile
    assert client_code_next() == "C0004"


def test_the_admin_pattern_gives_prefix_and_digits(alice):
    ClientFilePolicy.objects.update_or_create(pk=1, defaults={"code_prefix": "BJ-", "code_digits": 6})
    ClientFactory(owner=alice, code="BJ-000099")
    assert client_code_preview() == "BJ-000100"
    assert [client_code_next(), client_code_next()] == ["BJ-000100", "BJ-000101"]


def test_the_highest_number_counts_numbers_longer_than_the_digits(alice):
    ClientFactory(owner=alice, code="C9999")
    ClientFactory(owner=alice, code="C10000")
    assert client_code_next() == "C10001"


def test_an_existing_client_still_needs_its_code(client, alice):
    existing = ClientFactory(owner=alice, code="C0005")
    client.force_login(alice)
    response = client.post(reverse("clients:edit", args=[existing.pk]), card_data(code=""))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    existing.refresh_from_db()
    assert existing.code == "C0005"


@pytest.mark.django_db(transaction=True)
def test_many_new_clients_saved_at_once_each_get_their_own_code(alice):
    callers = [logged_in(alice) for _ in range(RACERS)]
    url = reverse("clients:create")
    responses = race(
        [lambda c=c, i=i: c.post(url, card_data(code="", name=f"Branch {i}")) for i, c in enumerate(callers)]
    )
    assert [r.status_code for r in responses] == [302] * RACERS
    codes = sorted(Client.objects.values_list("code", flat=True))
    assert codes == [f"C{n:04d}" for n in range(1, RACERS + 1)]


# --- stale cards ------------------------------------------------------------------------------


def test_stale_before_follows_the_policy(alice):
    assert stale_before(TODAY).date() == TODAY - timedelta(days=180)
    ClientFilePolicy.objects.update_or_create(pk=1, defaults={"review_after_days": 90})
    assert stale_before(TODAY).date() == TODAY - timedelta(days=90)


def test_the_list_and_the_card_flag_a_card_not_updated_within_the_period(client, alice):
    today = timezone.localdate()
    old = ClientFactory(owner=alice, name="老客户")
    Client.objects.filter(pk=old.pk).update(card_updated_at=timezone.now() - timedelta(days=181))
    fresh = ClientFactory(owner=alice, name="新客户")
    Client.objects.filter(pk=fresh.pk).update(card_updated_at=timezone.now() - timedelta(days=179))
    assert today  # the period counts whole days back from today
    client.force_login(alice)
    listing = client.get(reverse("clients:list")).content.decode()
    assert listing.count('data-testid="stale"') == 1
    assert 'data-testid="stale"' in client.get(old.get_absolute_url()).content.decode()
    assert 'data-testid="stale"' not in client.get(fresh.get_absolute_url()).content.decode()


def test_the_review_queue_holds_the_users_stale_cards_oldest_first(client, alice, bob, manager):
    older = ClientFactory(owner=alice, name="甲")
    old = ClientFactory(owner=alice, name="乙")
    bobs = ClientFactory(owner=bob, name="丙")
    ClientFactory(owner=alice, name="新")
    for row, days in [(older, 400), (old, 200), (bobs, 300)]:
        Client.objects.filter(pk=row.pk).update(card_updated_at=timezone.now() - timedelta(days=days))
    client.force_login(alice)
    rows = list(client.get(reverse("clients:review")).context["page_obj"].object_list)
    assert [c.name for c in rows] == ["甲", "乙"]
    client.force_login(manager)
    rows = list(client.get(reverse("clients:review")).context["page_obj"].object_list)
    assert [c.name for c in rows] == ["甲", "丙", "乙"]


def test_still_current_counts_as_reviewed_today_and_is_audited(client, alice):
    stale = ClientFactory(owner=alice)
    Client.objects.filter(pk=stale.pk).update(card_updated_at=timezone.now() - timedelta(days=200))
    client.force_login(alice)
    response = client.post(reverse("clients:reviewed", args=[stale.pk]), {"next": reverse("clients:review")})
    assert response.status_code == 302 and response["Location"] == reverse("clients:review")
    stale.refresh_from_db()
    assert timezone.now() - stale.card_updated_at < timedelta(minutes=1)
    assert stale.history.first().history_user == alice
    assert list(client.get(reverse("clients:review")).context["page_obj"].object_list) == []


def test_still_current_refuses_another_teams_client_and_a_get(client, alice, charlie):
    theirs = ClientFactory(owner=charlie)
    client.force_login(alice)
    assert client.post(reverse("clients:reviewed", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("clients:reviewed", args=[ClientFactory(owner=alice).pk])).status_code == 405


def test_still_current_ignores_a_next_address_off_the_site(client, alice):
    mine = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.post(reverse("clients:reviewed", args=[mine.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == mine.get_absolute_url()


def test_the_queue_is_a_constant_number_of_queries(client, alice, django_assert_max_num_queries):
    for i in range(30):
        aged(ClientFactory(owner=alice, name=f"客户{i}"), 300)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("clients:review"), {"per_page": 100})
    assert len(response.context["page_obj"].object_list) == 30


# --- reminders --------------------------------------------------------------------------------


def test_each_owner_is_reminded_once_per_time_a_card_goes_stale(alice, bob):
    a1, a2 = aged(ClientFactory(owner=alice), 200), aged(ClientFactory(owner=alice), 365)
    aged(ClientFactory(owner=bob), 181)
    b2 = aged(ClientFactory(owner=bob), 100)  # not stale yet
    aged(ClientFactory(owner=alice, status=Client.Status.MOVED_OUT), 400)  # moved out: nothing to review
    assert card_review_reminders_send(today=TODAY) == 3
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {"alice": "2 client cards to review", "bob": "1 client card to review"}
    # The next mornings: nothing more, the same cards were reminded already.
    assert card_review_reminders_send(today=TODAY + timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
    # Reviewed, then stale again much later: reminded again, once.
    Client.objects.filter(pk=a1.pk).update(card_updated_at=timezone.now())
    later = timezone.localdate() + timedelta(days=200)
    before = dict(Client.objects.values_list("pk", "card_review_reminded_at"))
    # a1 (stale again) and b2 (stale by now); a2, never reviewed, was reminded already.
    assert card_review_reminders_send(today=later) == 2
    after = dict(Client.objects.values_list("pk", "card_review_reminded_at"))
    assert {pk for pk in after if after[pk] != before[pk]} == {a1.pk, b2.pk}
    assert after[a2.pk] == before[a2.pk]
    assert set(Notification.objects.filter(recipient=alice).values_list("key", flat=True)) == {
        f"card-review:{TODAY.isoformat()}",
        f"card-review:{later.isoformat()}",
    }


def test_the_reminder_runs_through_a_worker_registered_task():
    from crm.celery import app

    app.loader.import_default_modules()
    assert "clients.tasks.card_review_reminders_send_task" in app.tasks


# --- key accounts past their visit cadence --------------------------------------------------------


def test_the_key_account_list_flags_accounts_whose_visit_cadence_is_missed(client, alice):
    from clients.models import Interaction, KeyAccountProfile
    from tests.factories import InteractionFactory

    def account(name: str, cadence: int, visited_days_ago: int | None) -> Client:
        row = ClientFactory(owner=alice, name=name, is_key_account=True)
        KeyAccountProfile.objects.create(client=row, visit_cadence_days=cadence)
        if visited_days_ago is not None:
            InteractionFactory(
                client=row,
                kind=Interaction.Kind.VISIT,
                occurred_at=timezone.now() - timedelta(days=visited_days_ago),
            )
        return row

    account("按期", 14, 10)
    account("逾期", 14, 20)
    account("从未拜访", 30, None)
    account("只打过电话", 7, None)
    InteractionFactory(
        client=Client.objects.get(name="只打过电话"), kind=Interaction.Kind.CALL, occurred_at=timezone.now()
    )
    client.force_login(alice)
    page = client.get(reverse("clients:key_accounts")).content.decode()
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ["按期", "逾期", "从未拜访", "只打过电话"]}
    assert 'data-testid="cadence-missed"' not in rows["按期"]
    assert "Visit overdue by 6 days" in rows["逾期"]
    assert "No visit yet" in rows["从未拜访"]
    assert "No visit yet" in rows["只打过电话"]  # a phone call is not an on-site visit
