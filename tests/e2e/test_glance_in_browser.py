"""An unknown caller at a glance, in Polish, in Chromium: the consultant reads the caller's path
through the menu and why the call came to them, answers on the network, links the caller to a
customer, and wraps up with two topics and a follow-up that 'My customers' then shows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, PATIENCE_SECONDS, Centre, wait_for
from tests.e2e.test_desk_in_browser import sign_in
from tests.e2e.test_desk_language_in_browser import (
    RAW,
    serious_accessibility_faults,
    visible_text,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
# Jan Wiśniewski rings from a friend's phone: the centre does not know the number.
STRANGER = "+48601999123"


def test_an_unknown_callers_journey_is_read_linked_and_wrapped_up_in_polish(
    centre: Centre, page: Page
):
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "anna", language="pl")
    page.get_by_role("button", name="Dostępny", exact=True).click()
    expect(page.locator("#state")).to_have_text("Dostępny")
    expect(page.locator("#phone-status")).to_have_text("Telefon gotowy", timeout=PATIENCE_MS)

    # Past the greeting, no PESEL (hash), the documents answer (1), texted (1), then a
    # consultant (0); the caller then stays on the line while the call rings.
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    script = [
        {"silence": True}, {"press": "#"}, {"press": "1"}, {"press": "1"}, {"press": "0"},
        {"wait": PATIENCE_SECONDS / scale},
    ]  # fmt: skip
    sid = centre.place_call(STRANGER, script)
    expect(page.locator("#call-panel")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#call-identified")).to_have_text("nie rozpoznano")
    journey = page.locator("#call-journey li")
    expect(journey).to_have_text(
        [
            "Wysłuchał(a) odpowiedzi: Dokumenty do zasiłku dla bezrobotnych.",
            "Wysłano SMS-em: Dokumenty do zasiłku dla bezrobotnych.",
            "Poprosił(a) o konsultanta.",
        ]
    )
    expect(page.locator("#call-why")).to_have_text("Byłeś(-aś) pierwszym wolnym konsultantem.")
    expect(page.locator("#call-waited")).to_have_text(
        re.compile(r"^(Czekał\(a\) .+|Bez czekania), w kolejce do .+\.$")
    )
    wait_for(lambda: centre.messages_to(STRANGER), what="the documents list by text")
    page.screenshot(path=str(RESULTS / "glance-pl-ringing.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "the pop while it rings"
    assert serious_accessibility_faults(page) == [], "the pop while it rings"

    # Anna answers in the browser; the network puts the caller through to her.
    page.get_by_role("button", name="Odbierz").click()
    expect(page.locator("#state")).to_have_text("W trakcie rozmowy", timeout=PATIENCE_MS)
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to be put through",
    )
    expect(page.locator("#call-journey li")).to_have_count(3)
    page.get_by_role("button", name="Rozłącz").click()
    expect(page.get_by_role("heading", name="Opis rozmowy", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )

    # The caller says who he is: Anna finds him and puts the call on his record.
    link = page.locator("#link-caller")
    link.get_by_label("Imię i nazwisko, PESEL lub telefon").fill("Wiśniewski")
    link.get_by_role("button", name="Szukaj").click()
    link.get_by_label("Jan Wiśniewski").check()
    page.screenshot(path=str(RESULTS / "glance-pl-link.png"), full_page=True)
    assert serious_accessibility_faults(page) == [], "the wrap-up with the search's results"
    link.get_by_role("button", name="Powiąż połączenie z tym klientem").click()
    expect(page.locator("#wrap-up-customer")).to_have_text("Jan Wiśniewski")
    expect(page.locator("#link-caller")).to_have_count(0)

    # Two topics (the menu's, and vacancies he asked Anna about) and a follow-up in 3 days.
    form = page.locator("#wrap-up-form")
    expect(form.get_by_label("Dokumenty do zasiłku dla bezrobotnych")).to_be_checked()
    form.get_by_label("Oferty pracy", exact=True).check()
    form.get_by_label("Wymaga dalszych działań").check()
    due = date.today() + timedelta(days=3)
    form.get_by_label("Co trzeba zrobić").fill("Wysłać listę ofert spawacza")
    form.get_by_label("Termin").fill(due.isoformat())
    form.get_by_label("Notatki").fill("Dzwonił z telefonu znajomego; pytał o dokumenty i oferty.")
    page.screenshot(path=str(RESULTS / "glance-pl-wrap-up.png"), full_page=True)
    assert serious_accessibility_faults(page) == [], "the wrap-up form"
    form.get_by_role("button", name="Zapisz kontakt").click()

    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    expect(page.locator("#contacts")).to_contain_text("pytał o dokumenty i oferty")
    expect(page.locator("#state")).to_have_count(0)

    page.get_by_role("link", name="Moi klienci").click()
    caseload = page.locator("#caseload")
    jan = caseload.locator("tr", has_text="Jan Wiśniewski")
    expect(jan).to_contain_text("Wysłać listę ofert spawacza")
    expect(jan).to_contain_text("pytał o dokumenty i oferty")
    page.screenshot(path=str(RESULTS / "glance-pl-my-customers.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "my customers"
    assert serious_accessibility_faults(page) == [], "my customers"
