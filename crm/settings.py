"""Settings: everything that differs between a laptop and production comes from the
environment (see README "Configuration"); crm/env.py rejects values it cannot read."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crm import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

DEBUG = env.env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.secret_key(os.environ, debug=DEBUG)
ALLOWED_HOSTS = env.env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The address users reach the site at, for links in e-mails.
CRM_SITE_URL = os.environ.get("CRM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CRM_REQUIRE_SERVICES = env.env_bool("CRM_REQUIRE_SERVICES", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "crm",
    "clients",
    "grading",
    "archives",
    "repairs",
    "visits",
]

MIDDLEWARE = [
    # First: the balancer's probe gets 200 or 503, never a redirect or a Host error.
    "crm.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may answer early (CSRF failures, lock-outs, errors), so every
    # page carries the policy.
    "crm.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The account's language for the pages when no language was switched to (cookie).
    "crm.middleware.UserLanguageMiddleware",
    "crm.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages, so its 400 page is the usual page with the user's menu.
    "crm.middleware.RejectNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After locale, messages and htmx: it ends expired sessions and says why (crm/sessions.py).
    "crm.sessions.SessionTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.database(os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}", base_dir=BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A covering index's extra columns (grading_order_product_date) matter on PostgreSQL only; on
# SQLite the index is used without them, which is what this warning reports.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- users and login ------------------------------------------------------------------------
AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions (OWASP ASVS L2, V3.3): a session ends 12 hours after log-in however busy it is, and
# after 30 minutes without a request; the login page says which (crm/sessions.py). The cookie
# lives as long as the absolute limit, so that an expired session is recognised and explained.
SESSION_ENGINE = "crm.sessions"
CRM_SESSION_MAX_AGE = timedelta(hours=env.env_int("CRM_SESSION_MAX_HOURS", 12, minimum=1))
CRM_SESSION_IDLE_TIMEOUT = timedelta(minutes=env.env_int("CRM_SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_COOKIE_AGE = int(CRM_SESSION_MAX_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a username *from one address* after repeated failures (so an attacker
# cannot lock a colleague out from elsewhere), with a cool-off after which it unlocks itself.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Behind the TLS proxy every request comes from the proxy's address: the client's is read from
# the header the trusted proxies set, or one person could lock out everyone.
globals().update(env.client_address(env.env_int("DJANGO_PROXY_COUNT", 0)))
AXES_VERBOSE = False

# --- internationalisation (X-1) -------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
# Our date and time formats per language (crm/formats): one everywhere, 24-hour clock.
FORMAT_MODULE_PATH = ["crm.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.env_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the web root and are served only by permission-checking views.
MEDIA_ROOT = Path(os.environ.get("CRM_MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- imports (X-3) -------------------------------------------------------------------------
# Caps checked before an uploaded CSV or Excel file is parsed (crm/spreadsheets/reading.py); a
# file past one is refused with a message beside the file field.
CRM_IMPORT_MAX_UPLOAD_BYTES = env.env_int("CRM_IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1)
# An xlsx is a zip: what its directory says the parts unpack to (a 1 MB file can hold 2 million rows).
CRM_IMPORT_MAX_UNPACKED_BYTES = env.env_int("CRM_IMPORT_MAX_UNPACKED_BYTES", 20 * 1024 * 1024, minimum=1)
CRM_IMPORT_MAX_ROWS = env.env_int("CRM_IMPORT_MAX_ROWS", 5000, minimum=1)

# --- forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- e-mail ---------------------------------------------------------------------------------
_email = env.email(os.environ.get("EMAIL_URL"), debug=DEBUG)
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or _email.get("DEFAULT_FROM_EMAIL", "crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- notification channels (crm/channels.py); a channel left unset is hidden and skipped ----------
CRM_WECOM_API_URL = os.environ.get("CRM_WECOM_API_URL", "https://qyapi.weixin.qq.com").rstrip("/")
CRM_WECOM_CORP_ID = os.environ.get("CRM_WECOM_CORP_ID", "")
CRM_WECOM_SECRET = os.environ.get("CRM_WECOM_SECRET", "")
CRM_WECOM_AGENT_ID = os.environ.get("CRM_WECOM_AGENT_ID", "")
if CRM_WECOM_AGENT_ID and not CRM_WECOM_AGENT_ID.isdigit():
    raise ImproperlyConfigured("CRM_WECOM_AGENT_ID must be the app's number (AgentId).")
CRM_WECOM_WEBHOOK_URL = os.environ.get("CRM_WECOM_WEBHOOK_URL", "")
CRM_SMS_URL = os.environ.get("CRM_SMS_URL", "")
CRM_SMS_TOKEN = os.environ.get("CRM_SMS_TOKEN", "")
CRM_SMS_SENDER = os.environ.get("CRM_SMS_SENDER", "")
CRM_SMS_PROVIDER = os.environ.get("CRM_SMS_PROVIDER", "crm.channels.HttpSmsProvider")

# --- Celery ---------------------------------------------------------------------------------
# The longest task (a grading run of every client, a large import) finishes in minutes; the
# hard limit stops a runaway one. Redis hands a dead worker's message to another worker after
# the visibility timeout, which must therefore exceed the time limit.
CELERY_TASK_TIME_LIMIT = env.env_int("CELERY_TASK_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60 if CELERY_TASK_TIME_LIMIT > 120 else None
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = env.broker(
    os.environ.get("CELERY_BROKER_URL"),
    base_dir=BASE_DIR,
    visibility_timeout=env.env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 5 * 60, minimum=1),
)
# Separate queue names let several deployments (or a test run beside `make run`) share a broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A message is acknowledged when its task has finished, and handed back at once when the
# process running it is killed (OOM, SIGKILL): every task is idempotent, so a rerun is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Celery's own beat schedule stays empty: DatabaseScheduler rewrites every entry of it at each
# start, which would undo an admin's change of a time. Our entries (CRM_BEAT_SCHEDULE) are created
# in django-celery-beat's tables once, when missing, after migrate (crm.schedule), and from then on
# belong to the admins, who change times or switch entries off there.
CELERY_BEAT_SCHEDULE: dict = {}
CRM_BEAT_SCHEDULE = {
    # 07:30 local time, before the working day: due and overdue client follow-ups (VIS-6).
    "clients-followup-reminders": {
        "task": "clients.tasks.followup_reminders_send",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:35: owners reminded once of client cards not updated within the policy's period (CLI-4).
    "clients-card-review-reminders": {
        "task": "clients.tasks.card_review_reminders_send_task",
        "schedule": crontab(hour=7, minute=35),
    },
    # 07:30: one reminder per planned visit or call due and per key account past its cadence
    # (VIS-6); the account managers' digest above lists them (clients.digest).
    "visits-reminders": {
        "task": "visits.tasks.visit_reminders_send",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:45 on Mondays: each manager's digest of the team's overdue items and unapproved plans.
    "visits-team-digest": {
        "task": "visits.tasks.team_digest_send",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon"),
    },
    # 02:00 on the 1st: the previous month's repair statistics and callback sample (REP-7).
    "repairs-monthly-report": {
        "task": "repairs.tasks.monthly_report_generate_task",
        "schedule": crontab(hour=2, minute=0, day_of_month=1),
    },
    # 08:00: overdue archive loans, to the borrower and the archivists (ARC-6).
    "archives-loans-overdue": {
        "task": "archives.tasks.loans_overdue_notify",
        "schedule": crontab(hour=8, minute=0),
    },
    # 03:00 on 5 January: last year's moved-out files compiled into the yearly archive (ARC-5).
    "archives-yearly-archive": {
        "task": "archives.tasks.yearly_archive_compile",
        "schedule": crontab(hour=3, minute=0, day_of_month=5, month_of_year=1),
    },
    # 01:30: grade every client (GRD-6); the managers' dashboard is fresh in the morning.
    "grading-nightly-run": {
        "task": "grading.tasks.grading_run_nightly",
        "schedule": crontab(hour=1, minute=30),
    },
    # 02:30, after the grading run: account managers' actual figures of this month and last
    # (MKT-2), from the ledger and client files; a rerun writes the same rows.
    "visits-actuals-compute": {
        "task": "visits.tasks.actuals_compute_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # 03:00 on the 1st: last month's draft market report of every territory (VIS-7).
    "visits-report-drafts": {
        "task": "visits.tasks.report_drafts_create_task",
        "schedule": crontab(hour=3, minute=0, day_of_month=1),
    },
    # 08:10: territory reports past their due day and not submitted, to the author and managers.
    "visits-reports-late": {
        "task": "visits.tasks.report_late_remind_task",
        "schedule": crontab(hour=8, minute=10),
    },
    # 04:00: every client's latest contacts recomputed (visits/contacts.py), in case a write
    # outside the application (a database console) left the coverage page's summary behind.
    "visits-contacts-refresh": {
        "task": "visits.tasks.contacts_refresh_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # Every minute: background work recorded while the broker was down (crm/outbox.py).
    "crm-outbox-relay": {
        "task": "crm.tasks.outbox_relay",
        "schedule": timedelta(minutes=1),
    },
    # 04:30: sessions past their expiry, which nothing else deletes (crm/sessions.py).
    "sessions-clear-expired": {
        "task": "crm.tasks.sessions_clear_expired",
        "schedule": crontab(hour=4, minute=30),
    },
    # Every minute: WeCom and SMS messages due (after quiet hours, or retries that ran out).
    "notifications-deliveries-due": {
        "task": "crm.tasks.notification_deliveries_due",
        "schedule": timedelta(minutes=1),
    },
    # Every 10 minutes: e-mail notifications whose retries ran out while SMTP was down.
    "notifications-email-pending": {
        "task": "crm.tasks.notifications_email_pending",
        "schedule": timedelta(minutes=10),
    },
}

# One cache for every process, so limits counted in it (the survey link's, crm.ratelimit) hold
# across gunicorn workers: Redis when the broker is Redis (production, CI), else each process's
# memory (the zero-setup default, a single runserver).
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "crm",
        }
    }

# --- security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and XHR from the app itself only.
# No 'unsafe-inline' anywhere: templates load static/js/ files and pass data in data- attributes
# or json_script, and base.html stops htmx from injecting its indicator style. data: images are
# Bootstrap's own SVG icons in its style sheet (select arrows, check marks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The admin adds a few hashes of third-party inline attributes, under /admin/ only: see
# crm.middleware.ADMIN_CSP_UPDATE.

# --- security (production) ------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, for this host
    # only and for every path (ASVS 3.4.4): a sibling subdomain cannot plant a session.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
