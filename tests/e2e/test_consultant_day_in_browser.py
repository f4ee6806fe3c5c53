"""A consultant's day in Polish, in Chromium, in one go: sign in, take a break with a reason,
get a call while on another page, read the caller's path through the menu in the pop, answer
on the network, link the unknown caller to their record, wrap up with two topics, text them
the document list, and find it all in their history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, PATIENCE_SECONDS, Centre, wait_for
from tests.e2e.test_desk_in_browser import sign_in
from tests.e2e.test_desk_language_in_browser import RAW, visible_text

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
# Oksana Bondarenko (Olena's customer in the demo) rings from a number the centre does not know.
STRANGER = "+48601777345"
OKSANA = "+48601000003"


def test_a_consultants_day_in_polish(centre: Centre, page: Page) -> None:
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "olena", language="pl")

    # A break for training, with its reason; then back to work.
    page.get_by_label("Powód przerwy").select_option("training")
    page.get_by_role("button", name="Przerwa", exact=True).click()
    expect(page.locator("#state")).to_have_text("Na przerwie")
    expect(page.locator("#state-reason")).to_have_text("Szkolenie")
    page.get_by_role("button", name="Dostępny", exact=True).click()
    expect(page.locator("#state")).to_have_text("Dostępny")
    expect(page.locator("#phone-status")).to_have_text("Telefon gotowy", timeout=PATIENCE_MS)

    # Olena looks through her caseload when the call comes: her phone rings on that page.
    page.get_by_role("link", name="Moi klienci").click()
    expect(page).to_have_url(re.compile(r"/desk/my-customers$"))
    expect(page.locator("#phone-status")).to_have_text("Telefon gotowy", timeout=PATIENCE_MS)
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    script = [
        {"silence": True}, {"press": "#"}, {"press": "1"}, {"press": "1"}, {"press": "0"},
        {"wait": PATIENCE_SECONDS / scale},
    ]  # fmt: skip
    sid = centre.place_call(STRANGER, script)
    expect(page.locator("#phone-status")).to_have_text("Dzwoni", timeout=PATIENCE_MS)
    page.screenshot(path=str(RESULTS / "day-1-ringing-on-another-page.png"), full_page=True)

    # On the desk the pop shows what the caller did before asking for a person.
    page.get_by_role("link", name="Pulpit", exact=True).click()
    expect(page.locator("#call-panel")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#call-identified")).to_have_text("nie rozpoznano")
    expect(page.locator("#call-journey li")).to_have_text(
        [
            "Wysłuchał(a) odpowiedzi: Dokumenty do zasiłku dla bezrobotnych.",
            "Wysłano SMS-em: Dokumenty do zasiłku dla bezrobotnych.",
            "Poprosił(a) o konsultanta.",
        ]
    )
    page.screenshot(path=str(RESULTS / "day-2-the-pop.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "the pop"

    # Answered in the browser; the network puts the caller through.
    page.get_by_role("button", name="Odbierz").click()
    expect(page.locator("#state")).to_have_text("W trakcie rozmowy", timeout=PATIENCE_MS)
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to be put through",
    )
    page.get_by_role("button", name="Rozłącz").click()
    expect(page.get_by_role("heading", name="Opis rozmowy", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )

    # She says who she is; Olena finds her record and links the call to it.
    link = page.locator("#link-caller")
    link.get_by_label("Imię i nazwisko, PESEL lub telefon").fill("Bondarenko")
    link.get_by_role("button", name="Szukaj").click()
    link.get_by_label("Oksana Bondarenko").check()
    link.get_by_role("button", name="Powiąż połączenie z tym klientem").click()
    expect(page.locator("#wrap-up-customer")).to_have_text("Oksana Bondarenko")

    # Two topics, an outcome and a note.
    form = page.locator("#wrap-up-form")
    expect(form.get_by_label("Dokumenty do zasiłku dla bezrobotnych")).to_be_checked()
    form.get_by_label("Szkolenie", exact=True).check()
    form.get_by_label("Załatwione").check()
    form.get_by_label("Notatki").fill("Pytała o dokumenty i o szkolenia językowe.")
    page.screenshot(path=str(RESULTS / "day-3-wrap-up.png"), full_page=True)
    form.get_by_role("button", name="Zapisz kontakt").click()
    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))

    # From her record, the document list by text to her own phone, in her language.
    before = len(centre.messages_to(OKSANA))
    page.get_by_label("Dokumenty potrzebne do zasiłku dla bezrobotnych").check()
    page.get_by_role("button", name="Wyślij SMS").click()
    expect(page.locator(".flash.ok")).to_contain_text("Wiadomość jest w drodze")
    wait_for(lambda: len(centre.messages_to(OKSANA)) > before, what="the text to reach Oksana")

    # All of it in her history, in words.
    page.reload()
    history = page.locator("#contacts")
    call = history.locator("tr", has_text="Pytała o dokumenty i o szkolenia językowe.")
    expect(call).to_contain_text("Dokumenty do zasiłku dla bezrobotnych")
    expect(call).to_contain_text("Szkolenie")
    expect(call).to_contain_text("Olena Shevchenko")
    texted = history.locator("tr", has_text="SMS: Dokumenty do zasiłku dla bezrobotnych")
    expect(texted.first).to_contain_text("Olena Shevchenko")
    page.screenshot(path=str(RESULTS / "day-4-history.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "the history"
    page.get_by_role("button", name="Wyloguj").click()
