"""The desk in Polish by default and in English by choice; codes shown as words."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from hotline.settings import Settings, SettingsError
from tests.agent_desk.test_desk import api, sign_in
from tests.conftest import form_token
from tests.recordings.test_voicemail import voicemail

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "agent_desk" / "translations"
PO = CATALOGUE / "pl" / "LC_MESSAGES" / "messages.po"
MO = CATALOGUE / "pl" / "LC_MESSAGES" / "messages.mo"


@pytest.fixture
def jan(demo) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()


def choose_language(client, language: str) -> None:
    token = form_token(client, "/desk/account")
    response = client.post(
        "/desk/account/language", data={"language": language, "csrf_token": token}
    )
    assert response.status_code == 302


def texts_of(page: str) -> dict:
    """Return what the page hands its scripts in data-texts."""
    found = re.search(r"data-texts='([^']*)'", page)
    assert found, "every desk page carries its scripts' words"
    return json.loads(unescape(found.group(1)))


def flat(text: str | tuple | list) -> str | tuple:
    return text if isinstance(text, str) else tuple(text)


def test_the_committed_mo_is_the_compiled_po():
    with PO.open("rb") as po, MO.open("rb") as mo:
        written, compiled = read_po(po), read_mo(mo)
    expected = {flat(m.id): flat(m.string) for m in written if m.id and not m.fuzzy}
    assert {flat(m.id): flat(m.string) for m in compiled if m.id} == expected, (
        "run ./dev translations"
    )


def test_every_text_the_desk_marks_is_translated_into_polish():
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    methods = [
        ("**.py", "python"),
        ("**/templates/**.html", "jinja2"),
        ("**/static/*.js", "javascript"),
    ]
    marked = {
        message if isinstance(message, str) else message[0]
        for package in (
            CATALOGUE.parent,
            *(
                ROOT / name
                for name in ("administration", "centre", "hotline", "knowledge", "privacy")
            ),
        )
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(package), methods, keywords
        )
    }
    with PO.open("rb") as po:
        translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(po)}
    missing = sorted(text for text in marked if not translated.get(text))
    assert missing == [], "add them with ./dev translations and translate them in messages.po"


def test_pages_are_polish_by_default_with_polish_plurals_and_dates(client, jan):
    voicemail("1", number="+48601000001", customer_id=jan.id)
    voicemail("2", number="+48500111222", minutes=1)
    sign_in(client)

    page = client.get("/desk/voicemail").get_data(as_text=True)

    assert '<html lang="pl">' in page and "Poczta głosowa" in page
    assert "2 wiadomości czekają, od najstarszej." in page, "the plural for two"
    assert "23.11.2026, 10:00" in page, "left at 9:00 UTC, shown in Warsaw's time the Polish way"
    assert "Dokumenty do zasiłku dla bezrobotnych" in page and "benefit_documents" not in page
    for number in range(3, 6):
        voicemail(str(number), number=f"+4850011122{number}", minutes=number)
    page = client.get("/desk/voicemail").get_data(as_text=True)
    assert "5 wiadomości czeka, od najstarszej." in page, "the plural for five"


def test_a_consultant_who_chooses_english_reads_english_pages(client, jan):
    voicemail("1", number="+48601000001", customer_id=jan.id)
    sign_in(client)

    choose_language(client, "en")

    page = client.get("/desk/voicemail").get_data(as_text=True)
    assert '<html lang="en-GB">' in page and "Voicemail" in page
    assert "1 message waiting, oldest first." in page
    assert "23/11/2026, 10:00" in page, "British order, 24-hour clock"
    assert "Documents for unemployment benefit" in page
    anna = db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()
    assert anna.desk_language == "en"
    choose_language(client, "pl")
    assert '<html lang="pl">' in client.get("/desk/").get_data(as_text=True)


def test_a_missing_page_says_so_in_the_readers_language(client, demo):
    sign_in(client)
    missing = client.get("/desk/customers/999999")
    assert missing.status_code == 404 and "Nie ma takiej strony" in missing.get_data(as_text=True)
    choose_language(client, "en")
    assert "Page not found" in client.get("/desk/no-such-page").get_data(as_text=True)
    assert client.get("/desk/api/no-such-thing").json["error"], "the scripts still get JSON"


def test_a_language_not_offered_is_refused_and_nothing_changes(client, demo):
    sign_in(client)
    choose_language(client, "xx")
    page = client.get("/desk/account").get_data(as_text=True)
    assert "Wybierz jeden z oferowanych języków." in page and '<html lang="pl">' in page


def test_the_scripts_get_their_words_and_every_polish_plural_form(client, demo):
    sign_in(client)
    texts = texts_of(client.get("/desk/board").get_data(as_text=True))
    assert texts["texts"]["Incoming call"] == "Połączenie przychodzące"
    # A text given values ({seconds: ...}) is found in the scripts too.
    with_values = texts["texts"]["answered within %(seconds)s s (target %(share)s)"]
    assert with_values == "odebrane w ciągu %(seconds)s s (cel %(share)s)"
    with PO.open("rb") as po:
        polish = {m.id: m.string for m in read_po(po) if isinstance(m.id, str)}
    assert {text: polish[text] for text in texts["texts"]} == texts["texts"]
    calls = texts["plurals"]["%(num)d call"]
    assert calls == {
        "one": "%(num)d połączenie",
        "few": "%(num)d połączenia",
        "many": "%(num)d połączeń",
    }
    choose_language(client, "en")
    texts = texts_of(client.get("/desk/board").get_data(as_text=True))
    assert texts["plurals"]["%(num)d call"] == {"one": "%(num)d call", "other": "%(num)d calls"}


def test_the_audit_trail_reads_as_words_without_json_or_escapes(client, jan):
    _, token = sign_in(client)
    client.post(
        f"/desk/customers/{jan.id}",
        data={"csrf_token": token, "address": "ul. Księżycowa 5, Łódź", "phone": jan.phone},
    )

    page = client.get(f"/desk/customers/{jan.id}").get_data(as_text=True)

    trail = page[page.rindex("Dziennik zmian") :]
    # The trail names the fields changed, not their values (no personal data beyond need).
    assert "zmienił(a) kartotekę" in trail and "Adres" in trail
    assert "ul. Księżycowa 5, Łódź" not in trail
    assert "\\u" not in trail and "{&#34;" not in trail and "customer.update" not in trail


def test_the_trails_details_holds_and_the_sign_in_answer_speak_polish(client, jan):
    assert client.get("/desk/api/state").json == {"error": "najpierw się zaloguj"}
    _, token = sign_in(client, "piotr")
    client.post("/desk/customers", data={"q": "wisniewski", "csrf_token": token})
    client.post(f"/desk/customers/{jan.id}/open",
                data={"csrf_token": token, "reason": "klient prosi o pomoc w oddziale"})  # fmt: skip
    client.post("/desk/logout", data={"csrf_token": token})
    _, token = sign_in(client, "anna")
    held = client.post(f"/desk/privacy/customers/{jan.id}/holds",
                       data={"csrf_token": token, "reason": " "}, follow_redirects=True)  # fmt: skip
    assert "podaj, dlaczego dane są zatrzymane" in held.get_data(as_text=True)
    gone = api(client, token, "/desk/privacy/holds/987654/release", {})
    assert (gone.status_code, gone.json) == (404, {"error": "ta blokada już nie obowiązuje"})

    trail = client.get("/desk/audit").get_data(as_text=True)

    for polish in ("Szukano po", "imię i nazwisko", "Znaleziono", "Klienci (numery kartotek)",
                   "Otwarcie z podaniem powodu (numer)"):  # fmt: skip
        assert polish in trail, polish
    for english in ("Break glass id", "Customer ids", ">By<", "By:"):
        assert english not in trail, english


def test_a_break_and_not_ready_take_a_reason_from_the_offices_list(client, demo):
    _, token = sign_in(client)
    page = client.get("/desk/").get_data(as_text=True)
    assert '<option value="lunch">Lunch</option>' in page
    assert '<option value="technical-problem">Problem techniczny</option>' in page

    refused = api(client, token, "/desk/api/state", {"state": "break"})
    assert refused.status_code == 409 and refused.json["error"] == "wybierz powód przerwy"
    odd = api(client, token, "/desk/api/state", {"state": "break", "reason": "nap"})
    assert odd.json["error"] == "tego powodu nie ma na liście urzędu"

    on_break = api(client, token, "/desk/api/state", {"state": "break", "reason": "lunch"}).json
    assert (on_break["state_label"], on_break["reason_label"]) == ("Na przerwie", "Lunch")
    not_ready = api(
        client, token, "/desk/api/state", {"state": "not-ready", "reason": "technical-problem"}
    ).json
    assert (not_ready["state"], not_ready["state_label"]) == ("not-ready", "Niegotowy")
    assert not_ready["reason_label"] == "Problem techniczny"
    available = api(client, token, "/desk/api/state", {"state": "available"}).json
    assert (available["state_label"], available["reason"]) == ("Dostępny", "")


def test_an_office_sets_its_own_reasons(app, demo):
    settings = Settings.from_env({"HOTLINE_BREAK_REASONS": "lunch, Szkolenie BHP ,lunch"})
    assert settings.break_reasons == ("lunch", "Szkolenie BHP")
    with pytest.raises(SettingsError, match="HOTLINE_NOT_READY_REASONS"):
        Settings.from_env({"HOTLINE_NOT_READY_REASONS": " , "})


# Words that read the same in every language the desk speaks, and may stand unmarked.
SAME_IN_EVERY_LANGUAGE = re.compile(
    r"\bPESEL\b|\bCSV\b|\bhotline\b|\be-mail\b|\(?Alt\+Shift\+\w\)?"
)
# Inside {{ }}: a quoted text that is shown, as `{{ 'Save' if new else 'Register' }}`,
# `{{ name or 'none' }}` or `{{ 'a' ~ b }}` would show it.
SHOWN_LITERAL = re.compile(r"""(?:^\s*|\belse\s+|\bor\s+|~\s*|default\(\s*)(['"])([^'"]*)\1""")
VISIBLE_ATTRIBUTE = r"\b(?:title|placeholder|aria-label|alt)"


def unmarked_texts(template: str) -> list[str]:
    """Return the texts a template shows without marking them for translation: text between
    tags, visible attributes (title, placeholder, aria-label, alt, a button's value) and
    quoted texts an expression prints."""
    source = re.sub(r"{#.*?#}|<!--.*?-->", "", template, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    found = []
    for expression in re.finditer(r"{{(.*?)}}", source, flags=re.S):
        before = source[: expression.start()]
        inside_a_tag = before.rfind("<") > before.rfind(">")
        if inside_a_tag and not re.search(VISIBLE_ATTRIBUTE + r'="[^"]*$', before):
            continue
        found += [match.group(2) for match in SHOWN_LITERAL.finditer(expression.group(1))]
    source = re.sub(r"{{.*?}}", " ", source, flags=re.S)
    found += re.findall(r">([^<]*)<", source)
    found += re.findall(VISIBLE_ATTRIBUTE + r'="([^"]*)"', source)
    found += re.findall(
        r'<input\b[^>]*\btype="(?:submit|button|reset)"[^>]*\bvalue="([^"]*)"', source
    )
    return [
        " ".join(text.split())
        for text in found
        if re.search(r"[^\W\d_]{2,}", SAME_IN_EVERY_LANGUAGE.sub("", text))
    ]


def test_the_template_scanner_finds_each_kind_of_unmarked_text():
    template = """{% extends "x.html" %}{# a comment #}<h1>New person</h1>
      <p>{{ _('Marked') }} PESEL (Alt+Shift+1)</p><input title="Find a customer" value="{{ v }}">
      <button>{{ 'Save' if person else _('Create') }}</button><td>{{ office or 'none' }}</td>
      <option {{ 'selected' if chosen }}>{{ _('Chosen') }}</option><script>alert("x y")</script>"""

    assert unmarked_texts(template) == ["Save", "none", "New person", "Find a customer"]


def test_every_template_marks_what_it_shows_for_translation():
    """The emulator's phone page is a developer's tool, in English; every other page is read
    by the office's people (or, for the access export, by the customer)."""
    templates = sorted(
        path
        for path in ROOT.glob("*/templates/**/*.html")
        if path.relative_to(ROOT).parts[0] != "emulator"
    )
    assert len(templates) > 20, "the scan found the templates"
    unmarked = {
        str(path.relative_to(ROOT)): texts
        for path in templates
        if (texts := unmarked_texts(path.read_text(encoding="utf-8")))
    }
    assert unmarked == {}, "mark these with _() and translate them in messages.pot/messages.po"
