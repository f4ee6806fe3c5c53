"""A consultant, in Polish, texts a customer the document list and calls them with one click from
their record, then finds both in the history beside the customer's own self-service call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, Centre, wait_for
from tests.e2e.test_desk_in_browser import sign_in
from tests.e2e.test_desk_language_in_browser import (
    RAW,
    serious_accessibility_faults,
    visible_text,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

JAN = "+48601000001"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_consultant_texts_and_calls_a_customer_and_finds_both_in_the_history(
    centre: Centre, page: Page
) -> None:
    RESULTS.mkdir(exist_ok=True)
    # Jan calls first and hears the document list from the automated line alone.
    centre.run_call(JAN, [{"silence": True}, {"press": "1"}])

    sign_in(page, centre.web, "anna", language="pl")
    expect(page.locator("#phone-status")).to_have_text("Telefon gotowy")
    page.get_by_role("link", name="Klienci", exact=True).click()
    page.get_by_label("Imię i nazwisko, PESEL lub telefon").fill("Wiśniewski")
    page.get_by_role("button", name="Szukaj").click()
    page.get_by_role("link", name="Jan Wiśniewski").click()
    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    record = page.url
    history = page.locator("#contacts")
    expect(history).to_contain_text("Połączenie obsłużone automatycznie")

    # The document list, by text, in Jan's language.
    page.get_by_label("Dokumenty potrzebne do zasiłku dla bezrobotnych").check()
    page.get_by_role("button", name="Wyślij SMS").click()
    expect(page.locator(".flash.ok")).to_contain_text("Wiadomość jest w drodze")
    texts = wait_for(lambda: centre.messages_to(JAN), what="the text to reach Jan's phone")
    assert texts[-1]["body"].startswith("Infolinia urzędów pracy:")
    page.screenshot(path=str(RESULTS / "history-1-text-sent.png"), full_page=True)

    # A click-to-call: Anna's own phone (the desk's softphone) rings first; Jan's phone
    # answers once the network rings it.
    centre.answers_at_once(JAN)
    page.get_by_role("button", name=f"Zadzwoń pod {JAN}").click()
    expect(page.locator(".flash.ok")).to_contain_text("Dzwoni Twój telefon")
    expect(page.locator("#softphone")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#softphone-title")).to_have_text(
        "Twoje połączenie do klienta: odbierz, a centrum do niego zadzwoni"
    )
    expect(page.locator("#softphone-customer")).to_have_text("Jan Wiśniewski")
    expect(page.locator("#softphone-number")).to_have_text(JAN)
    page.get_by_role("button", name="Odbierz").click()
    jan_leg = wait_for(lambda: centre.endpoint(JAN).get("call_sid"), what="Jan's phone to be rung")
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(jan_leg)["events"]),
        what="Jan to talk with Anna",
    )
    page.screenshot(path=str(RESULTS / "history-2-on-the-call.png"), full_page=True)
    page.get_by_role("button", name="Rozłącz").click()
    wait_for(lambda: centre.call(jan_leg)["status"] == "completed", what="the call to end")

    # Both are in the history, in words, beside the self-service call.
    page.goto(record)
    history = page.locator("#contacts")
    expect(history).to_contain_text("Połączenie do klienta")
    texted = history.locator("tr", has_text="SMS: Dokumenty do zasiłku dla bezrobotnych")
    expect(texted).to_contain_text("wysłano")
    expect(texted).to_contain_text("Anna Nowak")
    called = history.locator("tr", has_text="Połączenie do klienta")
    expect(called).to_contain_text("odebrano")
    expect(called).to_contain_text("Anna Nowak")
    expect(history).to_contain_text("Połączenie obsłużone automatycznie")
    page.locator("#history").scroll_into_view_if_needed()
    page.screenshot(path=str(RESULTS / "history-3-in-the-history.png"), full_page=True)
    assert RAW.findall(visible_text(page)) == [], "the customer's history"
    assert serious_accessibility_faults(page) == [], "the customer's history"
