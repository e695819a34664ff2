"""Test settings: the real settings, made faster. Nothing here changes behaviour under test."""

from crm.settings import *  # noqa: F403
from crm.settings import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# In-process tests run tasks synchronously; tests/crm/test_worker.py runs a real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Each test process its own counters (rate limits): parallel test workers must not share them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the live server, the browser tests and a worker process share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
