"""The English catalogue (vanthu/locale/en): complete, placeholder-safe, compiled, and in use on the pages.

Vietnamese is the source language (docs/decisions/0002): every msgid is Vietnamese, so a string missing from the
catalogue shows Vietnamese to an English reader. These tests keep the catalogue whole:
- every entry is translated, none is fuzzy, and each translation keeps its msgid's placeholders;
- the catalogue compiles with `compiletranslations` and real strings come out in English;
- the inbox and the incoming register read in English for a clerk who chose English;
- a fresh extraction (`makemessages`, run in a temporary copy of the package) finds no string that the catalogue
  lacks — so a new `_("…")` fails here until someone runs makemessages and translates it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.conftest import checked
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.management.commands.compiletranslations import compile_catalogs
from vanthu.documents import actions as documents

PACKAGE = Path(__file__).resolve().parent.parent / "vanthu"
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES_IGNORE = ["static/vendor/*"]  # as in the documented command: vanthu makemessages -l en --ignore …

# %(name)s / %(n).0f / %s / %d, {{ name }} (a blocktranslate variable left as written), {name} (str.format).
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"
    r"|\{\{\s*[\w.]+\s*\}\}"
    r"|\{\w*\}"
)


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


def _unfinished(po: polib.POFile) -> list[str]:
    return [_label(e) for e in po if e.msgid and (not e.translated() or "fuzzy" in e.flags)]


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    assert CATALOGUE.exists(), f"{CATALOGUE} is missing: run `cd vanthu && ../.venv/bin/vanthu makemessages -l en`"
    return polib.pofile(str(CATALOGUE))


@pytest.fixture
def english(settings, tmp_path: Path) -> Path:
    """The catalogue compiled by compiletranslations into a private copy of the locale tree, which Django then
    uses (changing LOCALE_PATHS resets Django's translation caches), so parallel workers never write one file."""
    locale = tmp_path / "locale"
    shutil.copytree(PACKAGE / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [locale]
    written = compile_catalogs()
    mo = locale / "en" / "LC_MESSAGES" / "django.mo"
    assert mo in written
    assert mo.stat().st_size > 0
    return mo


# --- the catalogue itself -----------------------------------------------------------------------------------------


def test_catalogue_header_is_english_with_two_plural_forms(catalogue):
    assert catalogue.metadata["Language"] == "en"
    assert catalogue.metadata["Project-Id-Version"].startswith("vanthu")
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 500, "the catalogue looks truncated"
    assert _unfinished(catalogue) == []


def test_translations_keep_the_placeholders_of_their_msgid(catalogue):
    wrong = []
    for entry in catalogue:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            # The singular may leave the count implicit ("Valid: the digital signature is valid."), like its msgid.
            pairs = [(entry.msgid, forms.get(0, ""), True), (entry.msgid_plural, forms.get(1, ""), False)]
        else:
            pairs = [(entry.msgid, entry.msgstr, False)]
        for source, target, count_optional in pairs:
            expected, found = _placeholders(source), _placeholders(target)
            if count_optional:
                expected = [p for p in expected if p != "%(n)s"]
                found = [p for p in found if p != "%(n)s"]
            if expected != found:
                wrong.append(f"{_label(entry)}: {expected} in the msgid, {found} in {target!r}")
    assert wrong == []


def test_translations_keep_leading_and_trailing_whitespace_and_markup(catalogue):
    wrong = []
    for entry in catalogue:
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            for side in (str.startswith, str.endswith):
                for space in (" ", "\n"):
                    if side(entry.msgid, space) != side(target, space):
                        wrong.append(f"{_label(entry)}: whitespace differs in {target!r}")
            if re.findall(r"</?\w+", entry.msgid) != re.findall(r"</?\w+", target):
                wrong.append(f"{_label(entry)}: HTML tags differ in {target!r}")
    assert wrong == []


# --- compiled and used --------------------------------------------------------------------------------------------


def test_compiled_catalogue_gives_english_labels_and_titles(english):
    with translation.override("en"):
        assert str(Urgency.FLASH.label) == "Flash"
        assert str(Urgency.FLASH_TIMED.label) == "Flash, timed"
        assert str(Urgency.VERY_URGENT.label) == "Very urgent"
        assert str(Secrecy.TOP_SECRET.label) == "Top secret"
        assert translation.gettext("Hộp việc") == "Inbox"
        assert translation.gettext("Sổ đăng ký văn bản đến") == "Incoming document register"
        assert translation.gettext("Tên đăng nhập “%(u)s” đã có người dùng.") % {"u": "lan"} == (
            "The user name “lan” is already taken."
        )
        assert translation.ngettext("%(n)s chứng thư số", "%(n)s chứng thư số", 1) % {"n": 1} == "1 certificate"
        assert translation.ngettext("%(n)s chứng thư số", "%(n)s chứng thư số", 3) % {"n": 3} == "3 certificates"
    with translation.override("vi"):
        assert str(Urgency.FLASH.label) == "Hỏa tốc"


def test_clerk_who_chose_english_reads_inbox_and_register_in_english(client, cast, doc_types, incoming_pdf, english):
    documents.register_incoming(
        unit=cast.staff, acting=cast.lan, file=checked(incoming_pdf, "cv-125.pdf"),
        data=documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                    subject="V/v diễn tập phòng thủ", urgency=Urgency.FLASH),
    )
    client.force_login(cast.lan.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    inbox = client.get(reverse("inbox")).content.decode()
    assert '<html lang="en">' in inbox
    assert "<h1>Inbox</h1>" in inbox
    for english_text in ("Incoming register", "Log out", "Receive an incoming document", "Awaiting presentation",
                         ">FLASH<", "Deadline"):
        assert english_text in inbox
    for vietnamese_text in ("Hộp việc", "Đăng xuất", "Tiếp nhận văn bản đến", "Chờ trình", "HỎA TỐC", "Hạn xử lý"):
        assert vietnamese_text not in inbox

    register = client.get(reverse("incoming_register")).content.decode()
    assert "<h1>Incoming document register</h1>" in register
    for english_text in ("Incoming number", "Arrival date", "Type and subject", "Print register", "Registered"):
        assert english_text in register
    for vietnamese_text in ("Sổ đăng ký văn bản đến", "Số đến", "Ngày đến", "In sổ", "Đã vào sổ"):
        assert vietnamese_text not in register
    assert "V/v diễn tập phòng thủ" in register  # the document's own words stay as written


# --- complete with respect to the code ----------------------------------------------------------------------------


def test_catalogue_has_every_string_of_the_code(settings, tmp_path, monkeypatch):
    """Re-extracts the messages with Django's makemessages (GNU gettext) in a temporary copy of the package and
    checks that the merged catalogue has nothing untranslated: a new or changed `_("…")` or `{% translate %}` fails
    here until `cd vanthu && ../.venv/bin/vanthu makemessages -l en --no-obsolete --ignore "static/vendor/*"` is run
    and the new entries are translated. About a second."""
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"GNU gettext is not installed ({', '.join(missing)} not found): "
                    "run scripts/install-system-deps (Debian package gettext)")
    copy = tmp_path / "vanthu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0)
    fresh = polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    assert _unfinished(fresh) == [], "strings in the code that the English catalogue lacks (run makemessages)"
