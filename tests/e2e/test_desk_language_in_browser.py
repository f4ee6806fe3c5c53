"""A consultant's day in Polish in Chromium: words instead of codes, keyboard shortcuts, and
pages that an automated accessibility checker (axe-core, vendored) finds no serious fault in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, PATIENCE_SECONDS, Centre, wait_for
from tests.e2e.test_desk_in_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

ION = "+48601000004"  # Ion Popescu, Mihai's customer, who speaks Romanian
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# What a person must never read on the desk: internal codes and Twilio's sids.
RAW = re.compile(
    r"\b(CA[0-9a-f]{32}|benefit_documents|wrap-up|on-call|not-ready|desk:\w+|contact\.wrap-up)\b"
    r"|\\u[0-9a-f]{4}"
)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_accessibility_faults(page: Page) -> list[str]:
    """Run axe-core in the page (through the browser's own evaluation, which the CSP does not
    govern) and return its serious and critical findings, each with where it found them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        "(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags } })", WCAG
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + json.dumps([node["target"] for node in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def visible_text(page: Page) -> str:
    return page.locator("body").inner_text()


def shortcut(page: Page, key: str) -> None:
    page.keyboard.press(f"Alt+Shift+{key}")


def test_a_consultants_call_in_polish_shows_words_works_by_keyboard_and_passes_axe(
    centre: Centre, page: Page
):
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "mihai", language="pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("#state")).to_have_text("Niedostępny")
    assert serious_accessibility_faults(page) == [], "the idle desk"

    # A break with the reason the office offers, by keyboard; then back to work.
    page.get_by_label("Powód przerwy").select_option("training")
    shortcut(page, "2")
    expect(page.locator("#state")).to_have_text("Na przerwie")
    expect(page.locator("#state-reason")).to_have_text("Szkolenie")
    shortcut(page, "1")
    expect(page.locator("#state")).to_have_text("Dostępny")
    expect(page.locator("#phone-status")).to_have_text("Telefon gotowy", timeout=PATIENCE_MS)

    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    script = [{"silence": True}, {"press": "1"}, {"press": "0"}, {"wait": PATIENCE_SECONDS / scale}]
    sid = centre.place_call(ION, script)
    expect(page.locator("#call-panel")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#call-title")).to_have_text("Połączenie przychodzące")
    expect(page.locator("#customer-link")).to_have_text("Ion Popescu")
    expect(page.locator("#call-topic")).to_have_text("Dokumenty do zasiłku dla bezrobotnych")
    expect(page.locator("#call-language")).to_have_text("rumuński")
    expect(page.locator("#customer-office")).to_have_text(re.compile("^Powiatowy Urząd Pracy"))
    expect(page.locator("#state")).to_have_text("Dzwoni")
    page.screenshot(path=str(RESULTS / "desk-pl-ringing.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "the pop while it rings"
    assert serious_accessibility_faults(page) == [], "the desk while a call rings"

    # The desk knows of the call a moment before the network rings the browser's phone.
    expect(page.get_by_role("button", name="Odbierz")).to_be_visible(timeout=PATIENCE_MS)
    shortcut(page, "A")
    expect(page.locator("#state")).to_have_text("W trakcie rozmowy", timeout=PATIENCE_MS)
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="Ion to be put through",
    )
    assert RAW.findall(visible_text(page)) == [], "the desk during the call"
    page.screenshot(path=str(RESULTS / "desk-pl-on-call.png"), full_page=True)

    expect(page.get_by_role("button", name="Rozłącz")).to_be_visible()
    shortcut(page, "H")
    expect(page.get_by_role("heading", name="Opis rozmowy", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    expect(page.locator("#state")).to_have_text("Opisuje rozmowę")
    wrap_up = page.locator("#wrap-up")
    expect(wrap_up).to_contain_text("Połączenie z numeru +48601000004 (Ion Popescu)")
    expect(wrap_up).to_contain_text("Dokumenty do zasiłku dla bezrobotnych")
    assert sid not in page.content(), "no CallSid anywhere on the page, not even hidden"
    assert RAW.findall(visible_text(page)) == [], "the wrap-up"
    page.screenshot(path=str(RESULTS / "desk-pl-wrap-up.png"), full_page=True)
    assert serious_accessibility_faults(page) == [], "the wrap-up form"

    shortcut(page, "W")
    expect(wrap_up.get_by_label("Załatwione")).to_be_focused()
    page.keyboard.press("Space")
    wrap_up.get_by_label("Notatki").fill("Wyjaśniono, jakie dokumenty są potrzebne.")
    page.get_by_role("button", name="Zapisz kontakt").click()

    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Rozmowa telefoniczna")
    expect(contacts).to_contain_text("Dokumenty do zasiłku dla bezrobotnych")
    expect(contacts).to_contain_text("Załatwione")
    expect(page.locator(".audit")).to_contain_text("opisał(a) rozmowę")
    assert RAW.findall(visible_text(page)) == [], "the customer's record"
    page.screenshot(path=str(RESULTS / "desk-pl-record.png"), full_page=True)
    assert serious_accessibility_faults(page) == [], "the customer's record"

    for link in ("Klienci", "Poczta głosowa"):
        page.get_by_role("link", name=re.compile(f"^{link}")).first.click()
        expect(page.locator("html")).to_have_attribute("lang", "pl")
        assert serious_accessibility_faults(page) == [], link
    page.goto(f"{centre.web}/desk/account")
    assert serious_accessibility_faults(page) == [], "the account page"

    page.goto(f"{centre.web}/desk/")
    expect(page.locator("#state")).to_have_text("Dostępny")
    shortcut(page, "0")
    expect(page.locator("#state")).to_have_text("Niedostępny")


def test_the_board_and_imports_in_polish_read_a_warsaw_24_hour_clock_and_pass_axe(
    centre: Centre, page: Page
):
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "anna", language="pl")
    page.get_by_role("link", name="Tablica kolejki").click()
    updated = page.locator("#updated")
    expect(updated).to_have_text(re.compile(r"^Zaktualizowano \d{2}:\d{2}:\d{2}$"))
    expect(page.locator("#today-counts")).to_contain_text("kolejk")
    expect(page.locator("#service-level-label")).to_contain_text("odebrane w ciągu 20 s")
    warsaw = page.evaluate(
        "() => new Intl.DateTimeFormat('pl', { timeZone: 'Europe/Warsaw', hour: '2-digit',"
        " hourCycle: 'h23' }).format(new Date())"
    )
    assert updated.inner_text().split()[1].startswith(warsaw), "the centre's hour, 24-hour"
    page.screenshot(path=str(RESULTS / "board-pl.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == []
    assert serious_accessibility_faults(page) == [], "the queue board"

    page.get_by_role("link", name="Importy").click()
    assert serious_accessibility_faults(page) == [], "the imports page"
