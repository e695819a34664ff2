"""zh-hans is complete and the committed .mo matches the .po (X-1)."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from tests.services import require

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr (first plural form) of a .po file; enough for our own catalogue. A message
    with a context (pgettext) is keyed "context\x04msgid", as the .mo file keys it."""
    entries: dict[str, str] = {}
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            entries.setdefault("__fuzzy__", block)
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[0\])\s+"(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            key = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries[key] = fields.get("msgstr", fields.get("msgstr[0]", ""))
    return entries


def decode(value: str) -> str:
    """Undo the .po escapes (\\n, \\", \\\\); the text itself is UTF-8 already."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), value)


def test_every_message_has_a_chinese_translation():
    entries = po_entries(LOCALE / "django.po")
    assert "__fuzzy__" not in entries, entries.get("__fuzzy__")
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for msgid, msgstr in po_entries(LOCALE / "django.po").items():
        if "%(counter)s" in msgid or "%(count)d" in msgid:
            continue  # plural entries are keyed differently in the .mo
        assert catalogue.gettext(decode(msgid)) == decode(msgstr), msgid


def test_catalogue_is_valid_for_msgfmt():
    require(bool(shutil.which("msgfmt")), "gettext's msgfmt is not installed")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr


EXTRACT = """
import django
from django.conf import settings
from django.core.management import call_command
django.setup()
settings.LOCALE_PATHS = []  # only ./locale, the copy: the real catalogue is left alone
call_command("makemessages", locale=["zh_Hans"], symlinks=True, no_location=True, verbosity=0)
"""
SOURCES = ("archives", "clients", "crm", "grading", "repairs", "templates")


def test_every_string_in_the_code_is_in_the_catalogue_and_translated(tmp_path):
    """Extract the messages afresh (as `make messages` does) into a copy of the catalogue: a
    string added to the code and never extracted or translated shows up here, which the .mo
    checks above cannot see since `make test` compiles the .po first."""
    require(bool(shutil.which("xgettext")), "gettext's xgettext is not installed")
    root = LOCALE.parents[2]
    for name in SOURCES:
        (tmp_path / name).symlink_to(root / name)
    copy = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    shutil.copy(LOCALE / "django.po", copy / "django.po")
    result = subprocess.run(
        [sys.executable, "-c", EXTRACT],
        cwd=tmp_path,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm.settings", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    entries = po_entries(copy / "django.po")
    assert len(entries) > 500, "the extraction found the project's messages"
    assert "__fuzzy__" not in entries, "a message changed in the code: " + entries.get("__fuzzy__", "")
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == [], "run `make messages` and translate these"


def test_language_switch_changes_every_page(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/notifications/"})
    assert response.status_code == 302
    assert "首页" in client.get(reverse("home")).content.decode()
    assert '<h1 class="h3 mb-0">通知</h1>' in client.get(reverse("notifications:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Notifications" in client.get(reverse("notifications:list")).content.decode()


def test_dates_are_localised():
    from datetime import date, datetime

    from django.utils.formats import date_format

    moment = datetime(2026, 11, 29, 14, 5)
    with translation.override("zh-hans"):
        assert date_format(date(2026, 11, 28)) == "2026年11月28日"
        assert date_format(moment, "DATETIME_FORMAT") == "2026年11月29日 14:05"
        assert date_format(moment, "SHORT_DATE_FORMAT") == "2026-11-29"
        assert date_format(moment, "YEAR_MONTH_FORMAT") == "2026年11月"
    with translation.override("en"):
        assert date_format(date(2026, 11, 28)) == "28 Nov 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "29 Nov 2026 14:05"
        assert date_format(moment, "SHORT_DATE_FORMAT") == "29 Nov 2026"


def test_one_english_word_with_two_meanings_reads_right_in_chinese():
    # "Received" is a time in the complaint list, a status of a complaint or letter, a count in the
    # complaints report and the finance copy's hand-over: one translation read "受理时间" for all.
    from archives.models import IncomingLetter
    from clients.models import Complaint

    with translation.override("zh-hans"):
        assert str(Complaint.Status.RECEIVED.label) == "已受理"
        assert str(IncomingLetter.Status.RECEIVED.label) == "已受理"
        assert translation.pgettext("count", "Received") == "受理数"
        assert translation.gettext("Received") == "受理时间"
