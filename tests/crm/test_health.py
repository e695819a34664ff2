"""/healthz reports the database and the broker: 200 when both answer, 503 naming the failure."""

from unittest import mock

from django.db import connection
from django.test import override_settings

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


PRODUCTION = {"DEBUG": False, "SECURE_SSL_REDIRECT": True, "ALLOWED_HOSTS": ["crm.example.com"]}


def test_a_balancer_probing_over_plain_http_with_its_own_host_gets_the_health(client, db):
    with override_settings(**PRODUCTION):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400, "other pages still check the host"
        assert client.get("/", HTTP_HOST="crm.example.com").status_code == 301, "and redirect to HTTPS"


def test_a_balancer_probing_over_plain_http_sees_503_when_the_broker_is_down(client, db, monkeypatch):
    down = "redis://127.0.0.1:9/0"
    monkeypatch.setenv("CELERY_BROKER_URL", down)
    with override_settings(**PRODUCTION), celery_conf(broker_url=down):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert "no-cache" in response["Cache-Control"]
