"""The race gate for the unit archives: loan decisions and returns, change decisions and
move-outs, each requested by many people at once, happen once (ARC-5…7)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from archives import services
from archives.models import ChangeRequest, DocumentVersion, Loan
from crm.models import Notification
from tests.archives.conftest import pdf
from tests.concurrency import RACERS, assert_one_winner, post_race

pytestmark = pytest.mark.django_db(transaction=True)


def due() -> str:
    return (timezone.localdate() + timedelta(days=3)).isoformat()


def test_approving_one_loan_many_times_at_once_approves_it_once(tenancy, alice, manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    url = reverse("archives:loan_decide", args=[loan.pk, "approve"])
    assert_one_winner(post_race([(manager, url, {"due_on": due()})] * RACERS), loser_text="already decided")
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.OUT
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_approving_and_refusing_at_once_gives_one_decision(tenancy, alice, manager, second_manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    approve = reverse("archives:loan_decide", args=[loan.pk, "approve"])
    refuse = reverse("archives:loan_decide", args=[loan.pk, "refuse"])
    posts = [(manager, approve, {"due_on": due()}), (second_manager, refuse, {})] * (RACERS // 2)
    winner = assert_one_winner(post_race(posts), loser_text="already decided")
    loan.refresh_from_db()
    assert loan.status == (Loan.Status.OUT if "approve" in winner.wsgi_request.path else Loan.Status.REFUSED)
    assert loan.decided_by == winner.wsgi_request.user


def test_recording_one_return_many_times_at_once_records_it_once(tenancy, alice, manager, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    url = reverse("archives:loan_return", args=[loan.pk])
    assert_one_winner(post_race([(archivist, url, {})] * RACERS), loser_text="not out on loan")
    assert loan.history.filter(status=Loan.Status.RETURNED).count() == 1


def test_approving_one_change_many_times_at_once_adds_one_version(working, archivist, manager):
    change = services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    url = reverse("archives:change_decide", args=[change.pk, "approve"])
    assert_one_winner(post_race([(manager, url, {})] * RACERS), loser_text="already decided")
    assert DocumentVersion.objects.filter(document=working).count() == 2
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeRequest.Status.APPROVED


def test_recording_one_move_out_many_times_at_once_records_it_once(tenancy, archivist):
    url = reverse("archives:tenancy_end", args=[tenancy.pk])
    posts = [(archivist, url, {"move_out": timezone.localdate().isoformat()})] * RACERS
    assert_one_winner(post_race(posts), loser_text="ended already")
    assert tenancy.history.exclude(move_out=None).count() == 1


def test_asking_to_borrow_one_file_many_times_at_once_leaves_one_request(tenancy, alice, manager):
    """Double clicks and two tabs: one request waits, every other asker is told it already does
    (the database's one-pending-request constraint decides on PostgreSQL)."""
    url = reverse("archives:borrow", args=[tenancy.unit.pk])
    assert_one_winner(post_race([(alice, url, {"purpose": "Deposit"})] * RACERS), loser_text="already asked")
    assert Loan.objects.filter(unit=tenancy.unit, borrower=alice).count() == 1
    assert Notification.objects.filter(recipient=manager).count() == 1
