"""The rules of clients/services.py spelled out value by value (issue 17): what the follow-up
reminders and digests say and to whom, and what a grading run writes on the clients."""

from datetime import UTC, date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients import services
from clients.forms import ContactFormSet
from clients.models import Client, KeyAccountProfile
from crm.models import Notification
from grading.models import ClientScore, GradingPolicy, GradingRun
from tests.factories import ClientFactory

TODAY = date(2030, 1, 10)  # far from the real date: a rule that looked at the clock would show


def reminders(user):
    return Notification.objects.filter(recipient=user, key__startswith="followup:client:").order_by("key")


def digest(user, day=TODAY):
    return Notification.objects.get(recipient=user, key=f"followup-digest:{day.isoformat()}")


def test_a_due_follow_up_is_reminded_with_its_client_date_step_and_link(alice):
    acme = ClientFactory(owner=alice, name="Acme", code="AC1", next_contact_date=TODAY, next_step="Send the quote")
    assert services.followup_reminders_send(today=TODAY) == 1
    reminder = reminders(alice).get()
    assert reminder.key == f"followup:client:{acme.pk}:2030-01-10"
    assert reminder.title == "Follow up with Acme (due 2030-01-10)"
    assert reminder.body == "Send the quote"
    assert reminder.link == f"/clients/{acme.pk}/"
    assert reminder.level == "reminder"
    assert reminder.send_email is False, "the daily digest is the e-mail"
    assert reminder.read_at is None


def test_the_digest_lists_each_due_client_by_date_then_name(alice):
    ClientFactory(owner=alice, name="Zeta", code="Z1", next_contact_date=date(2030, 1, 8), next_step="Call back")
    ClientFactory(owner=alice, name="Beta", code="B2", next_contact_date=TODAY)
    ClientFactory(owner=alice, name="Alpha", code="A3", next_contact_date=TODAY, next_step="Visit")
    ClientFactory(owner=alice, name="Later", code="L4", next_contact_date=date(2030, 1, 11))
    assert services.followup_reminders_send(today=TODAY) == 3
    sent = digest(alice)
    assert sent.title == "3 client follow-ups are due"
    assert (
        sent.body == "- Zeta (Z1), 2030-01-08: Call back\n- Alpha (A3), 2030-01-10: Visit\n- Beta (B2), 2030-01-10: —"
    )
    assert sent.link == "/clients/?followup=due"
    assert sent.level == "reminder"
    assert sent.send_email is True


def test_one_due_client_makes_a_digest_in_the_singular(alice):
    ClientFactory(owner=alice, name="Acme", code="AC1", next_contact_date=TODAY)
    services.followup_reminders_send(today=TODAY)
    assert digest(alice).title == "1 client follow-up is due"
    assert digest(alice).body == "- Acme (AC1), 2030-01-10: —"


def test_each_manager_gets_their_own_clients_only(alice, bob):
    ClientFactory(owner=alice, name="Acme", code="AC1", next_contact_date=TODAY)
    ClientFactory(owner=bob, name="Bolt", code="BO1", next_contact_date=TODAY)
    ClientFactory(owner=bob, name="Bee", code="BE1", next_contact_date=TODAY)
    assert services.followup_reminders_send(today=TODAY) == 3
    assert [n.title for n in reminders(alice)] == ["Follow up with Acme (due 2030-01-10)"]
    assert sorted(n.title for n in reminders(bob)) == [
        "Follow up with Bee (due 2030-01-10)",
        "Follow up with Bolt (due 2030-01-10)",
    ]
    assert digest(alice).body == "- Acme (AC1), 2030-01-10: —"
    assert digest(bob).body == "- Bee (BE1), 2030-01-10: —\n- Bolt (BO1), 2030-01-10: —"


def test_a_manager_who_left_is_not_reminded(alice, make_user):
    gone = make_user(username="gone", is_active=False)
    ClientFactory(owner=gone, next_contact_date=TODAY)
    ClientFactory(owner=alice, next_contact_date=TODAY)
    assert services.followup_reminders_send(today=TODAY) == 1
    assert not Notification.objects.filter(recipient=gone).exists()


def test_the_count_is_of_new_reminders_only(alice, bob):
    first = ClientFactory(owner=alice, next_contact_date=TODAY)
    assert services.followup_reminders_send(today=TODAY) == 1
    ClientFactory(owner=alice, next_contact_date=TODAY)
    # Someone else holding a notification with the same key does not count as reminded.
    second = ClientFactory(owner=bob, next_contact_date=TODAY)
    Notification.objects.create(recipient=alice, key=services.followup_key(second.pk, TODAY), title="stray")
    assert services.followup_reminders_send(today=TODAY) == 2
    assert reminders(alice).filter(key=services.followup_key(first.pk, TODAY)).count() == 1


def test_without_a_date_the_reminders_are_for_today(alice, monkeypatch):
    ClientFactory(owner=alice, name="Acme", code="AC1", next_contact_date=date(2030, 1, 9))
    monkeypatch.setattr(services.timezone, "localdate", lambda: TODAY)
    assert services.followup_reminders_send() == 1
    assert digest(alice).body == "- Acme (AC1), 2030-01-09: —"


def test_a_given_date_is_used_rather_than_the_clock(alice):
    ClientFactory(owner=alice, next_contact_date=TODAY)
    assert services.followup_reminders_send(today=TODAY) == 1  # the real clock says years before


def test_the_queries_do_not_grow_with_the_clients_of_a_manager(alice):
    ClientFactory(owner=alice, next_contact_date=TODAY)
    with CaptureQueriesContext(connection) as one:
        services.followup_reminders_send(today=TODAY)
    Notification.objects.all().delete()
    ClientFactory.create_batch(3, owner=alice, next_contact_date=TODAY)
    with CaptureQueriesContext(connection) as four:
        assert services.followup_reminders_send(today=TODAY) == 4
    assert len(four) == len(one)


# --- grading (CLI-9, GRD-5) ---

DISCOUNTS = {"A": "10% off", "B": "5% off", "C": "", "D": ""}
GRADED_AT = datetime(2030, 1, 10, 2, 0, tzinfo=UTC)
BEFORE = datetime(2029, 1, 1, tzinfo=UTC)


def graded(levels):
    run = GradingRun.objects.create(as_of=TODAY, policy=GradingPolicy.current())
    for client, level in levels.items():
        ClientScore.objects.create(run=run, client=client, level=level)
    return ClientScore.objects.filter(run=run)


def grade_of(client):
    client.refresh_from_db()
    return (client.level, client.discount_tier, client.graded_at)


def test_grading_writes_new_levels_and_tiers_and_clears_the_ungraded(alice):
    new = ClientFactory(owner=alice)
    moved = ClientFactory(owner=alice, level="D", discount_tier="", graded_at=BEFORE)
    same = ClientFactory(owner=alice, level="B", discount_tier="5% off", graded_at=BEFORE)
    gone = ClientFactory(owner=alice, level="C", discount_tier="", graded_at=BEFORE)
    never = ClientFactory(owner=alice)
    changed = services.clients_set_grades(
        scores=graded({new: "A", moved: "B", same: "B"}), discounts=DISCOUNTS, graded_at=GRADED_AT
    )
    assert changed == 2
    assert grade_of(new) == ("A", "10% off", GRADED_AT)
    assert grade_of(moved) == ("B", "5% off", GRADED_AT)
    assert grade_of(same) == ("B", "5% off", BEFORE), "an unchanged grade keeps the date it was set"
    assert grade_of(gone) == ("", "", GRADED_AT)
    assert grade_of(never) == ("", "", None)


def test_a_changed_tier_alone_is_written(alice):
    client = ClientFactory(owner=alice, level="A", discount_tier="8% off", graded_at=BEFORE)
    assert services.clients_set_grades(scores=graded({client: "A"}), discounts=DISCOUNTS, graded_at=GRADED_AT) == 1
    assert grade_of(client) == ("A", "10% off", GRADED_AT)


def test_each_written_client_gets_one_history_row_by_the_grading(alice):
    new = ClientFactory(owner=alice)
    same = ClientFactory(owner=alice, level="B", discount_tier="5% off", graded_at=BEFORE)
    gone = ClientFactory(owner=alice, level="C", discount_tier="", graded_at=BEFORE)
    before = Client.history.count()
    services.clients_set_grades(scores=graded({new: "A", same: "B"}), discounts=DISCOUNTS, graded_at=GRADED_AT)
    rows = Client.history.order_by("history_id")[before:]
    assert [(r.id, r.level, r.discount_tier) for r in rows] == [(new.pk, "A", "10% off"), (gone.pk, "", "")]
    for row in rows:
        assert (row.history_date, row.history_change_reason, row.history_user_id, row.history_type) == (
            GRADED_AT,
            "grading",
            None,
            "~",
        )
        assert row.graded_at == GRADED_AT


def test_more_clients_than_one_statement_takes_are_all_written(alice):
    count = 501  # statements take 500 ids at most
    Client.objects.bulk_create(ClientFactory.build_batch(count, owner=alice))
    clients = list(Client.objects.all())
    before = Client.history.count()
    changed = services.clients_set_grades(
        scores=graded(dict.fromkeys(clients, "C")), discounts=DISCOUNTS, graded_at=GRADED_AT
    )
    assert changed == count
    assert Client.objects.filter(level="C", graded_at=GRADED_AT).count() == count
    assert Client.history.count() - before == count, "one history row each, none twice"


# --- the card (CLI-2…4) ---

SAVED_AT = datetime(2030, 1, 10, 9, 30, tzinfo=UTC)


def no_contact_changes(client):
    data = {"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", "contacts-MAX_NUM_FORMS": "1000"}
    formset = ContactFormSet(data, instance=client, prefix="contacts")
    assert formset.is_valid(), formset.errors
    return formset


def test_saving_a_card_writes_only_the_edited_fields_and_stamps_it(alice, monkeypatch):
    acme = ClientFactory(owner=alice, name="Acme", is_key_account=True)
    card = Client.objects.get(pk=acme.pk)
    Client.objects.filter(pk=acme.pk).update(level="A", next_step="Call back")  # a grading run, a follow-up meanwhile
    card.name = "Acme Ltd"
    monkeypatch.setattr(services.timezone, "now", lambda: SAVED_AT)
    saved = services.client_save_card(
        client=card, contacts=no_contact_changes(card), key_account=None, by=alice, fields=["name"]
    )
    assert saved is card
    acme.refresh_from_db()
    assert (acme.name, acme.level, acme.next_step) == ("Acme Ltd", "A", "Call back")
    assert acme.card_updated_at == SAVED_AT
    assert acme.is_key_account is False
    assert not KeyAccountProfile.objects.exists(), "no profile is made for a client that is not a key account"


def test_a_key_account_card_saves_its_profile(alice):
    acme = ClientFactory(owner=alice)
    profile = {"decision_makers": "CEO Li", "service_commitments": "Visit monthly", "visit_cadence_days": 7}
    services.client_save_card(
        client=acme, contacts=no_contact_changes(acme), key_account=profile, by=alice, fields=["name"]
    )
    acme.refresh_from_db()
    assert acme.is_key_account is True
    saved = KeyAccountProfile.objects.get(client=acme)
    assert (saved.decision_makers, saved.service_commitments, saved.visit_cadence_days) == (
        "CEO Li",
        "Visit monthly",
        7,
    )


# --- interactions (CLI-5, VIS-4…6) ---

EARLIER = datetime(2030, 1, 9, 15, 0, tzinfo=UTC)


def test_logging_an_interaction_stores_it_and_books_the_next_contact(alice):
    acme = ClientFactory(owner=alice, next_contact_date=TODAY, next_step="Old step")
    interaction = services.interaction_log(
        client=acme,
        kind="visit",
        outcome="Signed",
        by=alice,
        occurred_at=EARLIER,
        next_step="Deliver",
        next_contact_date=date(2030, 2, 1),
    )
    interaction.refresh_from_db()
    assert (interaction.client, interaction.kind, interaction.outcome, interaction.recorded_by) == (
        acme,
        "visit",
        "Signed",
        alice,
    )
    assert (interaction.occurred_at, interaction.next_step, interaction.next_contact_date) == (
        EARLIER,
        "Deliver",
        date(2030, 2, 1),
    )
    assert (acme.next_contact_date, acme.next_step) == (date(2030, 2, 1), "Deliver"), "the object passed in too"
    acme.refresh_from_db()
    assert (acme.next_contact_date, acme.next_step) == (date(2030, 2, 1), "Deliver")


def test_an_interaction_without_a_time_happened_now_and_books_nothing(alice, monkeypatch):
    acme = ClientFactory(owner=alice, next_contact_date=TODAY, next_step="Call back")
    other = ClientFactory(owner=alice, next_contact_date=TODAY, next_step="Other")
    monkeypatch.setattr(services.timezone, "now", lambda: SAVED_AT)
    interaction = services.interaction_log(client=acme, kind="call", outcome="Done", by=alice)
    interaction.refresh_from_db()
    assert (interaction.kind, interaction.occurred_at) == ("call", SAVED_AT)
    assert (interaction.next_step, interaction.next_contact_date) == ("", None)
    acme.refresh_from_db()
    assert (acme.next_contact_date, acme.next_step) == (None, "")
    other.refresh_from_db()
    assert (other.next_contact_date, other.next_step) == (TODAY, "Other"), "only this client's follow-up"


def test_a_backdated_interaction_leaves_the_later_follow_up(alice):
    acme = ClientFactory(owner=alice)
    services.interaction_log(
        client=acme, kind="call", outcome="Later", by=alice, occurred_at=SAVED_AT, next_contact_date=TODAY
    )
    services.interaction_log(
        client=acme, kind="call", outcome="Earlier", by=alice, occurred_at=EARLIER, next_contact_date=date(2030, 3, 1)
    )
    acme.refresh_from_db()
    assert acme.next_contact_date == TODAY


def test_logging_the_follow_up_marks_its_reminder_read_and_no_other(alice, monkeypatch):
    acme, seen, untouched = ClientFactory.create_batch(3, owner=alice, next_contact_date=TODAY)
    services.followup_reminders_send(today=TODAY)
    Notification.objects.filter(key=f"followup:client:{seen.pk}:2030-01-10").update(read_at=EARLIER)
    monkeypatch.setattr(services.timezone, "now", lambda: SAVED_AT)
    for logged in (acme, seen):
        services.interaction_log(
            client=logged, kind="call", outcome="Done", by=alice, occurred_at=SAVED_AT
        )  # on the booked day: the follow-up itself
    assert Notification.objects.get(key=f"followup:client:{acme.pk}:2030-01-10").read_at == SAVED_AT
    assert Notification.objects.get(key=f"followup:client:{seen.pk}:2030-01-10").read_at == EARLIER, "read before"
    assert Notification.objects.get(key=f"followup:client:{untouched.pk}:2030-01-10").read_at is None
    assert digest(alice).read_at is None
