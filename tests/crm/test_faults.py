"""The fault gate: a stopped broker delays work and never fails a request; a worker killed in
the middle of a task loses nothing and duplicates nothing (issue 9, DESIGN "Principles")."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from archives import services as archive_services
from archives.models import ChangeRequest, Loan
from clients import complaints
from clients.models import Complaint
from crm.models import Notification, OutboxMessage
from crm.outbox import outbox_relay
from crm.roles import Role
from grading.models import ClientScore, GradingRun, SalesOrder
from grading.services import grading_run_start
from grading.tasks import grading_run_execute_task
from repairs.models import RepairOrder
from tests.factories import (
    CampaignFactory,
    ClientFactory,
    RepairOrderFactory,
    TechnicianFactory,
    TenancyFactory,
    UnitFactory,
    UserFactory,
)
from tests.services import require
from tests.worker import PrivateRedis, broker_at, wait_for, worker_process

BROKER_DOWN = "redis://127.0.0.1:9/0"
PDF = b"%PDF-1.4\n% test\n%%EOF\n"


@dataclass
class Office:
    """One of each thing whose change starts background work, and the people who change it."""

    manager: object
    propmanager: object  # the client-services manager decides on archive loans and changes
    alice: object
    supervisor: object
    order: RepairOrder
    technician: object
    complaint: Complaint
    bob: object
    loan: Loan
    change: ChangeRequest
    promotion: object


@pytest.fixture
def office(team, settings, tmp_path) -> Office:
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = UserFactory(role=Role.MANAGER, username="boss", team=team)
    propmanager = UserFactory(role=Role.CLIENT_SERVICES_MANAGER, username="propboss")
    alice = UserFactory(username="alice", team=team)
    bob = UserFactory(username="bob", team=team)
    archivist = UserFactory(role=Role.CLIENT_SERVICES_SUPERVISOR, username="keeper")
    tenancy = TenancyFactory(unit=UnitFactory(number="1203"), client__owner=alice)
    SalesOrder.objects.create(
        client=tenancy.client, ordered_on=date(2026, 6, 1), amount=Decimal(900), margin=Decimal("0.1")
    )
    working = archive_services.document_file(
        unit=tenancy.unit,
        upload=SimpleUploadedFile("contacts.pdf", PDF),
        title="Emergency contacts",
        category="contacts",
        dated=tenancy.move_in,
        kind="working",
        by=archivist,
    )
    return Office(
        manager=manager,
        propmanager=propmanager,
        alice=alice,
        supervisor=UserFactory(role=Role.ENGINEERING_SUPERVISOR, username="chief"),
        order=RepairOrderFactory(unit=tenancy.unit, client=tenancy.client),
        technician=TechnicianFactory(user__username="tech-a"),
        complaint=complaints.complaint_file(
            client=tenancy.client, subject="Late", description="Two days late", channel="phone", by=alice
        ),
        bob=bob,
        loan=archive_services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice),
        change=archive_services.change_request_submit(
            document=working, upload=SimpleUploadedFile("v2.pdf", PDF), reason="New phone", by=archivist
        ),
        promotion=CampaignFactory(created_by=manager),
    )


def act_as_everyone(client, office: Office) -> list[int]:
    """Every action whose change starts background work, through its page; the status codes."""
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    posts = [
        (
            office.supervisor,
            reverse("repairs:step", args=[office.order.pk, "assign"]),
            {"version": 1, "technician": office.technician.pk},
        ),
        (
            office.alice,
            office.complaint.get_absolute_url(),
            {"action": "assigned", "assignee": office.bob.pk, "version": 1},
        ),
        (office.propmanager, reverse("archives:loan_decide", args=[office.loan.pk, "approve"]), {"due_on": due}),
        (office.propmanager, reverse("archives:change_decide", args=[office.change.pk, "approve"]), {}),
        (office.manager, reverse("grading:run_start"), {}),
        (office.manager, reverse("campaigns:launch", args=[office.promotion.pk]), {}),
    ]
    codes = []
    for user, url, data in posts:
        client.force_login(user)
        codes.append(client.post(url, data).status_code)
    return codes


def assert_every_change_was_saved(office: Office) -> None:
    assert RepairOrder.objects.get(pk=office.order.pk).technician_id == office.technician.pk
    assert Complaint.objects.get(pk=office.complaint.pk).assignee_id == office.bob.pk
    assert Loan.objects.get(pk=office.loan.pk).status == Loan.Status.OUT
    assert ChangeRequest.objects.get(pk=office.change.pk).status == ChangeRequest.Status.APPROVED
    assert GradingRun.objects.get().status == GradingRun.Status.RUNNING, "waiting for the broker, not failed"
    assert office.promotion.members.count() == 1


def emailed(*users) -> bool:
    return all(Notification.objects.filter(recipient=user, emailed_at__isnull=False).exists() for user in users)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_every_action_answers_and_the_relay_does_the_work_later(client, office):
    with broker_at(BROKER_DOWN):
        codes = act_as_everyone(client, office)
    assert all(code == 302 for code in codes), codes
    assert_every_change_was_saved(office)
    waiting = OutboxMessage.objects.pending()
    assert waiting.count() == 6 and all(m.attempts == 1 for m in waiting)
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbox_relay() == 6  # the broker is back (tests publish eagerly)
    assert GradingRun.objects.get().status == GradingRun.Status.DONE
    assert emailed(office.technician.user, office.bob, office.alice)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_stopped_broker_delays_the_work_until_a_real_worker_gets_it(client, office, tmp_path):
    require(bool(shutil.which("redis-server")), "redis-server is not installed (apt-get install redis-server)")
    redis = PrivateRedis(tmp_path)  # created stopped: nothing listens on its port yet
    mail = tmp_path / "mail"
    mail.mkdir()
    with broker_at(redis.url):
        codes = act_as_everyone(client, office)
        assert all(code == 302 for code in codes), codes
        assert_every_change_was_saved(office)
        redis.start()
        try:
            env = {"CELERY_BROKER_URL": redis.url, "EMAIL_URL": f"file://{mail}"}
            with worker_process(settings.CELERY_TASK_DEFAULT_QUEUE, env):
                OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=5))
                assert outbox_relay() == 6
                wait_for(lambda: GradingRun.objects.get().status == GradingRun.Status.DONE, message="the grading run")
                wait_for(lambda: emailed(office.technician.user, office.bob, office.alice), message="the e-mails")
        finally:
            redis.stop()
    sent = "".join(path.read_text() for path in mail.iterdir())
    assert office.order.number in sent and "Late" in sent
    assert ClientScore.objects.count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_grading_run_is_replaced_and_the_run_done_once(alice, tmp_path):
    require(connection.vendor == "postgresql", "holding a row lock across processes needs PostgreSQL")
    require(bool(shutil.which("redis-server")), "redis-server is not installed (apt-get install redis-server)")
    for n in range(3):
        client = ClientFactory(owner=alice, code=f"K{n}")
        SalesOrder.objects.create(
            client=client, ordered_on=date(2026, 6, 1), amount=Decimal(100 * (n + 1)), margin=Decimal("0.1")
        )
    run = grading_run_start(as_of=date(2026, 11, 28))
    redis = PrivateRedis(tmp_path)
    redis.start()
    # A short visibility timeout: Redis hands the dead worker's message to the next one soon.
    env = {"CELERY_BROKER_URL": redis.url, "CELERY_VISIBILITY_TIMEOUT": "3"}
    db = connection.settings_dict
    holder = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "localhost", port=db["PORT"] or 5432
    )
    try:
        with holder.cursor() as cursor:  # the run's row stays locked: the task stops in the middle
            cursor.execute("SELECT id FROM grading_gradingrun WHERE id = %s FOR UPDATE", [run.pk])
        with broker_at(redis.url), worker_process("grading-kill", env) as first:
            grading_run_execute_task.apply_async(args=[run.pk], queue="grading-kill")
            wait_for(blocked_on_a_lock, message="the worker to start the run")
            first.kill()  # SIGKILL: no cleanup, no acknowledgement
            first.wait(timeout=20)
        holder.rollback()
        assert GradingRun.objects.get(pk=run.pk).status == GradingRun.Status.RUNNING
        with worker_process("grading-kill", env):
            wait_for(lambda: GradingRun.objects.get(pk=run.pk).status == GradingRun.Status.DONE, message="the rerun")
    finally:
        holder.close()
        redis.stop()
    assert GradingRun.objects.count() == 1
    assert ClientScore.objects.filter(run=run).count() == 3, "every client graded once"


def blocked_on_a_lock() -> bool:
    """A session of this database waits for a lock (asked outside the holder's transaction,
    whose view of pg_stat_activity is a snapshot)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        waiting = cursor.fetchone()[0]
    return waiting > 0
