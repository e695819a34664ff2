"""The import pages (X-3): upload → a worker checks → preview with row errors → confirm → a
worker saves every row or none. Celery is eager here; test_worker_tasks.py uses a real worker."""

import pytest
from django.urls import reverse

from clients.imports import SAVE_TASK
from clients.models import Client, Contact, ImportJob
from crm.models import OutboxMessage
from tests.imports import confirm, csv_bytes, last_job, upload, xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_an_upload_is_checked_then_saved_after_confirmation(client, alice):
    client.force_login(alice)
    content = csv_bytes(
        "n1,北京新客户,corporate,prospect,online,,,,,,010-6512 3456,a@b.cn,0,,",
        "n2,Second Co,retail,active,phone,,,,,,,,1,,",
    )
    response = upload(client, content)
    job = last_job()
    assert response.url == job.get_absolute_url()
    assert job.status == "ready" and job.created_by == alice
    page = client.get(job.get_absolute_url())
    assert [row["kind"] for row in page.context["page_obj"]] == ["new", "new"]
    assert [row["number"] for row in page.context["page_obj"]] == [2, 3], "row numbers as the spreadsheet shows them"
    assert 'data-testid="import-confirm"' in page.content.decode()
    assert not Client.objects.exists(), "the preview saves nothing"
    confirm(client, job)
    job.refresh_from_db()
    assert job.status == "saved" and job.totals == {"new": 2}
    assert set(Client.objects.values_list("code", "owner__username")) == {("N1", "alice"), ("N2", "alice")}
    assert 'data-testid="import-saved"' in client.get(job.get_absolute_url()).content.decode()


def test_the_job_page_follows_the_job_through_its_states(client, alice):
    """Queued (the page polls) → ready (the poll reloads the page) → saving → saved."""
    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"), run=False)
    job = last_job()
    status_url = reverse("clients:import_job_status", args=[job.pk])
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.status == "queued" and f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
    assert "HX-Refresh" not in client.get(status_url).headers

    message = OutboxMessage.objects.get(task="clients.tasks.import_job_check_task")
    from crm.outbox import outbox_publish

    outbox_publish(message=message)  # what the after-commit publish (or the relay) does
    assert client.get(status_url).headers["HX-Refresh"] == "true"
    assert 'data-testid="import-confirm"' in client.get(job.get_absolute_url()).content.decode()

    confirm(client, job, run=False)
    job.refresh_from_db()
    assert job.status == "saving" and "every 2s" in client.get(job.get_absolute_url()).content.decode()
    outbox_publish(message=OutboxMessage.objects.get(task=SAVE_TASK))
    job.refresh_from_db()
    assert job.status == "saved" and Client.objects.filter(code="N1").exists()
    assert client.get(status_url).headers["HX-Refresh"] == "true"


def test_an_import_is_confirmed_once(client, alice):
    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"))
    job = last_job()
    confirm(client, job, run=False)
    response = confirm(client, job, run=False)
    assert "confirmed already" in response.content.decode()
    assert OutboxMessage.objects.filter(task=SAVE_TASK).count() == 1


def test_a_save_message_delivered_twice_saves_once(client, alice):
    from clients.tasks import import_job_save_task

    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"))
    confirm(client, last_job())
    assert import_job_save_task(last_job().pk) is None
    assert Client.objects.filter(code="N1").count() == 1


def test_a_single_bad_row_saves_nothing_and_is_reported(client, alice):
    client.force_login(alice)
    good, bad = "n1,Good,corporate,prospect,online,,,,,,,,0,,", "n2,Bad phone,corporate,prospect,online,,,,,,12,,0,,"
    upload(client, csv_bytes(good, bad))
    job = last_job()
    assert job.status == "invalid"
    page = client.get(job.get_absolute_url())
    bad = page.context["page_obj"][0]
    assert bad["number"] == 3 and bad["kind"] == "invalid" and "phone" in bad["errors"][0]
    assert 'data-testid="import-confirm"' not in page.content.decode()
    confirm(client, job)
    assert not Client.objects.exists()


def test_import_cannot_touch_a_client_outside_the_gate(client, alice, bob, alices_client):
    client.force_login(bob)
    upload(client, csv_bytes("HX001,Hijacked,corporate,active,online,,,,,,,,0,,"))
    job = last_job()
    assert job.status == "invalid"
    assert "outside your portfolio" in job.rows[0]["errors"][0]
    alices_client.refresh_from_db()
    assert alices_client.name == "华信科技"


def test_import_contacts_for_my_clients_from_gbk_csv(client, alice, alices_client):
    client.force_login(alice)
    content = "client_code,name,position,phone,email,is_emergency\nHX001,张磊,采购,010-1234 5678,,0\n"
    upload(client, content.encode("gb18030"), name="contacts.csv", kind="contacts")
    job = last_job()
    assert job.status == "ready", job.rows
    confirm(client, job)
    assert Contact.objects.filter(client=alices_client, name="张磊").exists()


def test_import_excel(client, alice):
    header = "code,name,kind,status,channel,owner,territory,employer,position,address,phone,email,is_key_account"
    content = xlsx_bytes(header.split(","), ["x1", "Excel Co", "corporate", "active", "online"] + [""] * 7 + [0])
    client.force_login(alice)
    upload(client, content, name="clients.xlsx")
    job = last_job()
    assert job.status == "ready", [row["errors"] for row in job.rows]
    confirm(client, job)
    assert Client.objects.filter(code="X1", owner=alice).exists()


def test_an_exported_csv_imports_back_without_the_quotes_that_kept_it_inert(client, alice):
    from tests.factories import ClientFactory

    ClientFactory(owner=alice, code="Q1", name="=1+1 Trading", notes="-ok-")
    client.force_login(alice)
    exported = client.get(reverse("clients:export", args=["clients"]), {"format": "csv"}).content
    Client.objects.all().delete()
    upload(client, exported)
    confirm(client, last_job())
    assert Client.objects.values_list("name", "notes").get() == ("=1+1 Trading", "-ok-")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clients.exe", b"MZ\x90\x00", "Upload a .csv or .xlsx file."),
        ("clients.xlsx", b"not a zip", "This is not an Excel (.xlsx) file."),
        ("clients.xlsx", b"PK\x03\x04 but no zip", "This is not an Excel (.xlsx) file."),
        ("clients.csv", b"", "The submitted file is empty."),
        ("clients.csv", b"a,b\x00\x00", "This is not a text CSV file."),
        ("clients.csv", b"code,name\n\xff\xfe\xfa\xfb\n", "neither UTF-8 nor GBK"),
    ],
)
def test_bad_files_are_refused_beside_the_file_field_and_nothing_is_kept(client, alice, media, name, content, message):
    client.force_login(alice)
    response = upload(client, content, name=name)
    assert message in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    assert not list(media.glob("imports/*")), "nothing is kept on disk"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nx\n", "The file has no column code."),
        (b"\n\n\n", "The file has no header row."),
        (b"code,name\nA1,x,extra,cells\n", "Row 2 has more cells than the header row."),
        (b"code,name\n", "The file has no rows under its header."),
    ],
)
def test_a_file_the_worker_cannot_import_ends_with_its_reason(client, alice, media, content, message):
    client.force_login(alice)
    upload(client, content)
    job = last_job()
    assert job.status == "invalid" and message in " ".join(job.errors)
    assert message in client.get(job.get_absolute_url()).content.decode()
    assert not any((media / "imports").iterdir()), "the file is removed once the job is over"


@pytest.mark.parametrize("view", ["clients:import_job", "clients:import_job_status"])
def test_someone_elses_import_job_is_404(client, alice, bob, view):
    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"))
    job = last_job()
    client.force_login(bob)
    assert client.get(reverse(view, args=[job.pk])).status_code == 404
    assert client.post(reverse("clients:import_job_confirm", args=[job.pk])).status_code == 404
    assert not Client.objects.exists()


def test_the_upload_page_lists_my_recent_imports_only(client, alice, bob):
    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"), name="mine.csv")
    client.force_login(bob)
    upload(client, csv_bytes("n2,Good,corporate,prospect,online,,,,,,,,0,,"), name="bobs.csv")
    page = client.get(reverse("clients:import")).content.decode()
    assert "bobs.csv" in page and "mine.csv" not in page


def test_an_expired_preview_cannot_be_confirmed(client, alice):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"))
    job = last_job()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    response = confirm(client, job)
    assert "expired" in response.content.decode()
    assert not Client.objects.exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_the_status_endpoint_query_count_is_constant(client, alice, rows, django_assert_num_queries):
    client.force_login(alice)
    upload(client, csv_bytes(*(f"q{n},Co {n},corporate,prospect,online,,,,,,,,0,," for n in range(rows))))
    job = last_job()
    client.get("/")  # the session and the user are cached after the first request of a test client
    with django_assert_num_queries(3):  # session, user, job
        client.get(reverse("clients:import_job_status", args=[job.pk]))


def test_the_import_pages_render_no_html_diff_of_long_texts(alice, alices_client):
    import tablib

    from clients.resources import ClientResource

    header = ["code", "name", "kind", "status", "channel", "notes"]
    dataset = tablib.Dataset(["HX001", "华信科技", "corporate", "active", "online", "y" * 30_000], headers=header)
    result = ClientResource(user=alice).import_data(dataset, dry_run=True)
    assert result.rows[0].import_type == "update" and not result.rows[0].diff
    assert ClientResource().import_data(dataset, dry_run=True).rows[0].diff, "the admin still has its diff"


def test_a_check_that_ends_late_does_not_undo_a_newer_state(client, alice, monkeypatch):
    """Two deliveries of the check ran at once; the first made the preview and the user confirmed
    it: the second ending must not make the job "ready" again (it would be confirmed twice)."""
    from clients import imports

    client.force_login(alice)
    upload(client, csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,"), run=False)
    job = last_job()
    dry_run = imports._import

    def confirmed_meanwhile(resource, dataset, **kwargs):
        result = dry_run(resource, dataset, **kwargs)
        ImportJob.objects.filter(pk=job.pk).update(status="saving")
        return result

    monkeypatch.setattr(imports, "_import", confirmed_meanwhile)
    imports.import_job_check(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "saving"


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_upload_and_confirmation_answer_and_the_relay_does_the_work(client, alice):
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from crm.outbox import outbox_relay
    from tests.worker import broker_at

    def relay_later() -> int:
        OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=5))
        return outbox_relay()  # the broker is back (tests publish eagerly)

    client.force_login(alice)
    content = csv_bytes("n1,Good,corporate,prospect,online,,,,,,,,0,,")
    with broker_at("redis://127.0.0.1:9/0"):
        response = client.post(
            reverse("clients:import"), {"kind": "clients", "file": SimpleUploadedFile("c.csv", content)}
        )
    job = last_job()
    assert response.status_code == 302 and job.status == "queued"
    assert relay_later() == 1
    job.refresh_from_db()
    assert job.status == "ready"
    with broker_at("redis://127.0.0.1:9/0"):
        assert client.post(reverse("clients:import_job_confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "saving" and not Client.objects.exists()
    assert relay_later() == 1
    job.refresh_from_db()
    assert job.status == "saved" and Client.objects.filter(code="N1").exists()
