"""Originals are never modified (ARC-7): through the UI, the admin, the ORM and raw SQL."""

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.urls import reverse

from archives.models import Document, DocumentVersion, ImmutableRecordError


def test_there_is_no_page_that_edits_or_deletes_a_document(client, archivist, original):
    client.force_login(archivist)
    body = client.get(reverse("archives:document", args=[original.pk])).content.decode()
    assert "never modified or deleted" in body
    assert "Propose a new version" not in body, "originals cannot even be revised"
    for path in (f"/archives/documents/{original.pk}/edit/", f"/archives/documents/{original.pk}/delete/"):
        assert client.post(path).status_code == 404
    assert Document.objects.filter(pk=original.pk, title=original.title).exists()
    assert original.versions.count() == 1


def test_the_admin_shows_but_cannot_change_or_delete(client, admin_user, original):
    client.force_login(admin_user)
    change_url = reverse("admin:archives_document_change", args=[original.pk])
    response = client.get(change_url)
    assert response.status_code == 200 and 'name="title"' not in response.content.decode()
    assert client.post(change_url, {"title": "Forged"}).status_code == 403
    assert (
        client.post(reverse("admin:archives_document_delete", args=[original.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.get(reverse("admin:archives_document_add")).status_code == 403
    kept = Document.objects.get(pk=original.pk)
    assert (kept.title, kept.versions.count()) == (original.title, 1), "neither changed nor deleted"


def test_orm_save_refuses_a_change(original):
    original.title = "Forged"
    with pytest.raises(ImmutableRecordError):
        original.save()
    version = original.versions.get()
    version.size = 1
    with pytest.raises(ImmutableRecordError):
        version.save()


def test_queryset_update_and_delete_refuse(original):
    with pytest.raises(ImmutableRecordError):
        Document.objects.filter(pk=original.pk).update(title="Forged")
    with pytest.raises(ImmutableRecordError):
        DocumentVersion.objects.filter(document=original).update(size=1)
    with pytest.raises(ImmutableRecordError):
        Document.objects.filter(pk=original.pk).delete()
    with pytest.raises(ImmutableRecordError):
        original.delete()
    assert Document.objects.get(pk=original.pk).title == "Lease"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE archives_document SET title = 'Forged' WHERE id = %s",
        "DELETE FROM archives_documentversion WHERE document_id = %s",
        "DELETE FROM archives_document WHERE id = %s",
    ],
)
def test_raw_sql_is_refused_by_the_database(original, sql):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [original.pk])
    assert Document.objects.get(pk=original.pk).title == "Lease"


def refused():
    return pytest.raises(DatabaseError, match="never modified or deleted")


def test_an_upsert_through_bulk_create_cannot_rewrite_an_original(original):
    forged = Document.objects.get(pk=original.pk)
    forged.title = "Forged"
    with refused(), transaction.atomic():
        Document.objects.bulk_create([forged], update_conflicts=True, unique_fields=["id"], update_fields=["title"])
    version = DocumentVersion.objects.get(document=original)
    version.sha256 = "0" * 64
    with refused(), transaction.atomic():
        DocumentVersion.objects.bulk_create(
            [version], update_conflicts=True, unique_fields=["id"], update_fields=["sha256"]
        )
    assert Document.objects.get(pk=original.pk).title == "Lease"
    assert DocumentVersion.objects.get(document=original).sha256 != "0" * 64


def test_the_base_queryset_update_cannot_rewrite_an_original(original):
    with refused(), transaction.atomic():
        models.QuerySet.update(Document.objects.filter(pk=original.pk), title="Forged")
    with refused(), transaction.atomic():
        models.QuerySet.update(DocumentVersion.objects.filter(document=original), size=1)
    assert Document.objects.get(pk=original.pk).title == "Lease"


def test_a_raw_delete_cannot_remove_an_original(original):
    with refused(), transaction.atomic():
        DocumentVersion.objects.filter(document=original)._raw_delete(using="default")
    with refused(), transaction.atomic():
        Document.objects.filter(pk=original.pk)._raw_delete(using="default")
    assert DocumentVersion.objects.filter(document=original).count() == 1


@pytest.mark.django_db
def test_the_append_only_triggers_exist_after_every_migration():
    # A migration that rebuilds one of these tables on SQLite drops its triggers (see migration 0006).
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'archives_%%'")
            expected = {
                f"{table}_append_only_{operation}"
                for table in ("archives_document", "archives_documentversion")
                for operation in ("update", "delete")
            }
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")
            expected = {"archives_document_append_only", "archives_documentversion_append_only"}
        assert expected <= {name for (name,) in cursor.fetchall()}


def test_the_stored_file_is_never_overwritten(original, settings):
    from archives import files

    version = original.versions.get()
    path = files.path_of(version.stored_name)
    assert path.read_bytes().startswith(b"%PDF") and str(settings.MEDIA_ROOT) in str(path)
    assert not str(path).startswith(str(settings.STATIC_ROOT))
