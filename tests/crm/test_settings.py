"""Settings come from the environment and reject what they cannot read (DESIGN.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "p8#Kz1!qR4v@Lm7$Wn2^Xs5&Yt9*Bc3(Df6)Gh0-Jk8=Np1+Qr4"


def run_django(code: str, **environ: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "EMAIL_"))}
    base.update({"DJANGO_SETTINGS_MODULE": "crm.settings", **environ})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": PRODUCTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        **extra,
    }


def test_defaults_are_sqlite_filesystem_broker_and_shanghai_time():
    result = run_django(
        "from django.conf import settings as s; import json; print(json.dumps([s.DEBUG, "
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, "
        "s.TIME_ZONE, s.DATABASES['default']['OPTIONS']['transaction_mode'], s.EMAIL_BACKEND]))"
    )
    assert result.returncode == 0, result.stderr
    debug, engine, name, broker, tz, mode, email = json.loads(result.stdout.strip().splitlines()[-1])
    assert debug is True
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "db.sqlite3")
    assert broker == "filesystem://"
    assert tz == "Asia/Shanghai"
    assert mode == "IMMEDIATE"
    assert email.endswith("console.EmailBackend")


def test_postgresql_comes_from_database_url():
    config = env.database("postgres://crm:secret@db.internal:5433/crm_prod", base_dir=ROOT)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 5433, "crm_prod", "crm")
    assert config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_gets_wal_and_immediate_transactions():
    config = env.database("sqlite:///var/x.sqlite3", base_dir=ROOT)
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda v: env.env_bool("X", False, {"X": v}), "maybe"),
        (lambda v: env.env_int("X", 1, {"X": v}), "ten"),
        (lambda v: env.env_int("X", 1, {"X": v}, minimum=1), "0"),
        (lambda v: env.env_time_zone("X", "UTC", {"X": v}), "Mars/Olympus"),
        (lambda v: env.database(v, base_dir=ROOT), "mysql://root@localhost/crm"),
        (lambda v: env.broker(v, base_dir=ROOT), "kafka://localhost"),
        (lambda v: env.email(v, debug=False), "carrier-pigeon://coop"),
        (lambda v: env.email(v, debug=False), "smtp://:25"),
    ],
)
def test_bad_values_are_rejected_loudly(reader, value):
    with pytest.raises(ImproperlyConfigured):
        reader(value)


def test_boolean_words_are_understood():
    assert env.env_bool("X", False, {"X": "yes"}) is True
    assert env.env_bool("X", True, {"X": "0"}) is False
    assert env.env_bool("X", True, {}) is True


def test_email_url_is_parsed_into_smtp_settings():
    config = env.email("smtp+tls://crm%40corp.cn:p%40ss@mail.corp.cn:587?from=crm@corp.cn", debug=False)
    assert config["EMAIL_HOST"] == "mail.corp.cn"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "crm@corp.cn"
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert config["EMAIL_USE_TLS"] is True
    assert config["DEFAULT_FROM_EMAIL"] == "crm@corp.cn"


def test_bad_environment_stops_the_process_with_the_variable_named():
    result = run_django("pass", DJANGO_DEBUG="perhaps")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_refuses_the_development_secret():
    result = run_django("pass", **production_env(DJANGO_SECRET_KEY=env.DEVELOPMENT_SECRET_KEY))
    assert result.returncode != 0
    assert "development key is refused" in result.stderr


def test_production_refuses_a_missing_secret():
    environ = production_env()
    environ["DJANGO_SECRET_KEY"] = ""
    result = run_django("pass", **environ)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_checks():
    result = run_django(
        "from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')",
        **production_env(DATABASE_URL="postgres://crm@127.0.0.1:5432/crm"),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("timeout, sweep", [(1200, 10), (3, 1), (15, 5)])
def test_redis_looks_for_a_dead_workers_messages_well_within_the_visibility_timeout(timeout, sweep):
    url, options = env.broker("redis://127.0.0.1:6379/0", base_dir=ROOT, visibility_timeout=timeout)
    assert url == "redis://127.0.0.1:6379/0"
    assert options["visibility_timeout"] == timeout
    # kombu sweeps every interval x throttle seconds: a message is handed out again soon after it is due.
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] == sweep
