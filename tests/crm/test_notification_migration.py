"""Migrations 0006-0007 keep every notification written before messages were keyed: each becomes
a literal "text" message showing its title and body as they were written (issue 14)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from crm.models import Notification
from crm.models import User as CurrentUser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("migrations")]

BEFORE = [("crm", "0005_client_services_manager_role")]
AFTER = [("crm", "0007_notifications_to_text_messages")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())  # back to the current schema for the next tests


def test_existing_notifications_become_text_messages_with_nothing_lost(old_apps):
    User = old_apps.get_model("crm", "User")
    OldNotification = old_apps.get_model("crm", "Notification")
    wang = User.objects.create(username="wang", role="technician")
    chinese = OldNotification.objects.create(
        recipient=wang, key="repair:1", title="新维修任务 R-1：A-101", body="厨房漏水", link="/repairs/1/"
    )
    english = OldNotification.objects.create(recipient=wang, key="loan:2", title="Your loan was refused", body="")
    migrate(AFTER)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    for old, title, body in ((chinese, "新维修任务 R-1：A-101", "厨房漏水"), (english, "Your loan was refused", "")):
        row = Notification.objects.get(pk=old.pk)
        assert row.message == "text"
        assert row.params == {}
        assert (row.title, row.body, row.link) == (title, body, old.link)
        with translation.override("zh-hans" if old is english else "en"):
            assert row.render() == (title, body), "shown as written, whatever the reader's language"
    assert CurrentUser.objects.get(pk=wang.pk).language == ""
