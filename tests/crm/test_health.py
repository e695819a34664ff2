"""/healthz reports the database and the broker: 200 when both answer, 503 naming the failure."""

from unittest import mock

from django.db import connection

from tests.worker import celery_conf


def test_healthz_is_ok_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_healthz_names_the_broker_when_it_is_down(client, db, monkeypatch):
    # A port where nothing listens: the same failure as a stopped Redis. Celery reads the
    # CELERY_BROKER_URL environment variable before its own setting, so both are changed.
    down = "redis://127.0.0.1:9/0"
    monkeypatch.setenv("CELERY_BROKER_URL", down)
    with celery_conf(broker_url=down):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "error"
    assert body["database"] == "ok"
    assert "broker" in body["errors"]


def test_healthz_names_the_database_when_it_is_down(client, db):
    with mock.patch.object(connection, "cursor", side_effect=RuntimeError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["errors"] == {"database": "RuntimeError"}


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
