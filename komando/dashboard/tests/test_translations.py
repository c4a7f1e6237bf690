from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def test_indonesian_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = catalogue("id")
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert len(po.translated_entries()) > 50
    assert untranslated == [], f"untranslated Indonesian msgids: {untranslated}"
    assert fuzzy == [], f"fuzzy Indonesian entries: {fuzzy}"


def test_english_catalogue_has_the_same_msgids_as_indonesian():
    indonesian = {e.msgid for e in catalogue("id") if not e.obsolete}
    english = {e.msgid for e in catalogue("en") if not e.obsolete}
    assert indonesian == english


def test_brace_placeholders_survive_translation():
    for entry in catalogue("id").translated_entries():
        for placeholder in ("{n}", "{m}", "{name}", "{error}", "{date}", "%(code)s"):
            if placeholder in entry.msgid:
                assert placeholder in entry.msgstr, f"{placeholder} lost in {entry.msgid!r}"


def test_compiled_indonesian_catalogue_is_used():
    with translation.override("id"):
        assert translation.gettext("Waiting for data…") == "Menunggu data…"
    with translation.override("en"):
        assert translation.gettext("Waiting for data…") == "Waiting for data…"
