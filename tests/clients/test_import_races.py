"""The race gate for imports: many confirmations of one preview at once save it once (X-3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients import imports
from clients.models import Client, ImportJob
from crm.models import OutboxMessage
from tests.concurrency import RACERS, assert_one_winner, post_race
from tests.imports import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_confirmations_at_once_save_the_import_once(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = csv_bytes("r1,Race Co,corporate,prospect,online,,,,,,,,0,,", "r2,Other Co,retail,active,phone,,,,,,,,0,,")
    job = imports.import_job_create(user=alice, kind="clients", upload=SimpleUploadedFile("r.csv", content))
    assert ImportJob.objects.get(pk=job.pk).status == "ready"
    responses = post_race([(alice, reverse("clients:import_job_confirm", args=[job.pk]), {})] * RACERS)
    assert_one_winner(responses, loser_text="confirmed already")
    assert ImportJob.objects.get(pk=job.pk).status == "saved"
    assert OutboxMessage.objects.filter(task=imports.SAVE_TASK).count() == 1
    assert sorted(Client.objects.values_list("code", flat=True)) == ["R1", "R2"]
