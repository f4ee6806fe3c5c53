"""Issue 12's scenario in Chromium, as one story: an administrator creates a consultant and a
customer on the desk's administration pages; the new consultant signs in with the one-time
password, chooses their own, opens their own customer, is refused an unrelated record, opens it
with a reason and reveals the PESEL; a supervisor then finds the opening and the reveal in the
break-glass list and the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from centre.demo import pesel
from tests.e2e.conftest import Centre
from tests.e2e.test_desk_in_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
NEW_PESEL = pesel("960814", "5151")
JAN_PESEL = pesel("850312", "1234")
REASON = "Jan rang the Warsaw office; Anna, his advisor, is away today."


def test_a_new_consultant_opens_a_record_with_a_reason_and_a_supervisor_sees_it_in_the_trail(
    centre: Centre, page: Page, browser: Browser
):
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "mihai")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="New person").click()
    page.get_by_label("Login").fill("zofia")
    page.get_by_label("Name", exact=True).fill("Zofia Kamińska")
    page.get_by_label("Office").select_option("WAW")
    page.get_by_label("Ukrainian", exact=True).check()
    page.get_by_label("Topics (comma-separated)").fill("benefits")
    page.get_by_role("button", name="Create, with a one-time password").click()
    expect(page.locator("#new-login")).to_have_text("zofia")
    password = page.locator("#one-time-password").inner_text()
    assert len(password) >= 12
    page.screenshot(path=str(RESULTS / "admin-new-consultant.png"), full_page=True)

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="New customer").click()
    form = page.locator("#customer-form")
    form.get_by_label("PESEL").fill(NEW_PESEL[:-1] + str((int(NEW_PESEL[-1]) + 1) % 10))
    form.get_by_label("First name").fill("Bogdan")
    form.get_by_label("Last name").fill("Kowalczyk")
    form.get_by_label("Phone").fill("602 444 555")
    form.get_by_label("Advisor").select_option(label="Zofia Kamińska")
    form.get_by_label("Registered on", exact=True).fill("2026-11-02")
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("the PESEL is not valid")
    form.get_by_label("PESEL").fill(NEW_PESEL)
    form.get_by_role("button", name="Register").click()
    expect(page.locator("p.flash.ok")).to_contain_text("Bogdan Kowalczyk is registered.")
    expect(page.locator("#customer-form").get_by_label("Phone")).to_have_value("+48602444555")
    expect(page.get_by_text(NEW_PESEL[:6] + "*****")).to_be_visible()
    page.screenshot(path=str(RESULTS / "admin-new-customer.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()

    # Zofia, in a browser of her own, signs in with the password Mihai handed her.
    context = browser.new_context()
    zofia = context.new_page()
    try:
        zofia.goto(f"{centre.web}/desk/")
        # A new person's desk is in Polish, the default.
        zofia.get_by_label("Login").fill("zofia")
        zofia.get_by_label("Hasło").fill(password)
        zofia.get_by_role("button", name="Zaloguj się").click()
        expect(zofia).to_have_url(re.compile(r"/desk/account$"))
        expect(zofia.get_by_text("Twoje hasło było jednorazowe")).to_be_visible()
        zofia.get_by_label("Obecne hasło").fill(password)
        zofia.get_by_label("Nowe hasło (co najmniej 12 znaków)").fill("zofia's own passphrase")
        zofia.get_by_role("button", name="Zmień hasło").click()
        zofia.get_by_label("Login").fill("zofia")
        zofia.get_by_label("Hasło").fill("zofia's own passphrase")
        zofia.get_by_role("button", name="Zaloguj się").click()
        expect(zofia.locator("#state")).to_have_text("Niedostępny")
        expect(zofia.get_by_role("link", name="Zofia Kamińska")).to_be_visible()
        zofia.screenshot(path=str(RESULTS / "admin-new-consultant-signed-in.png"), full_page=True)

        # Her own customer opens at once; Jan, Anna's customer, only with a reason.
        zofia.get_by_role("link", name="Klienci", exact=True).click()
        zofia.get_by_label("Imię i nazwisko, PESEL lub telefon").fill("kowalczyk")
        zofia.get_by_role("button", name="Szukaj").click()
        zofia.get_by_role("link", name="Bogdan Kowalczyk").click()
        expect(zofia.get_by_role("heading", name="Bogdan Kowalczyk")).to_be_visible()
        expect(zofia.locator("#pesel")).to_have_text(NEW_PESEL[:6] + "*****")

        zofia.get_by_role("link", name="Klienci", exact=True).click()
        zofia.get_by_label("Imię i nazwisko, PESEL lub telefon").fill("jan wisniewski")
        zofia.get_by_role("button", name="Szukaj").click()
        expect(zofia).to_have_url(re.compile(r"/desk/customers$"))  # the term stays out of it
        zofia.get_by_role("link", name="Jan Wiśniewski").click()
        expect(
            zofia.get_by_role("heading", name="Podaj, dlaczego potrzebujesz tej kartoteki")
        ).to_be_visible()
        expect(zofia.locator("body")).not_to_contain_text("Targowa")
        zofia.screenshot(path=str(RESULTS / "record-refused-without-a-reason.png"), full_page=True)

        zofia.get_by_label("Powód", exact=True).fill(REASON)
        zofia.get_by_role("button", name="Otwórz kartotekę").click()
        expect(zofia.get_by_role("heading", name="Jan Wiśniewski")).to_be_visible()
        expect(zofia.locator("#pesel")).to_have_text(JAN_PESEL[:6] + "*****")
        expect(zofia.locator("body")).not_to_contain_text(JAN_PESEL)

        zofia.locator("#reveal-pesel").click()
        expect(zofia.locator("#pesel")).to_have_text(JAN_PESEL)
        zofia.screenshot(path=str(RESULTS / "record-pesel-revealed.png"), full_page=True)
        zofia.reload()  # the reveal is shown once: a reload shows the record masked again
        expect(zofia.locator("#pesel")).to_have_text(JAN_PESEL[:6] + "*****")
        zofia.get_by_role("button", name="Wyloguj").click()
    finally:
        context.close()

    # Anna, a supervisor, finds both in the break-glass list and the audit trail.
    sign_in(page, centre.web, "anna")
    page.get_by_role("link", name="Opened with a reason").click()
    openings = page.locator("#openings")
    expect(openings).to_contain_text("Zofia Kamińska")
    expect(openings).to_contain_text(REASON)
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Who", exact=True).select_option(label="Zofia Kamińska")
    page.get_by_role("button", name="Show").click()
    trail = page.locator("#audit")
    expect(trail.locator("tr", has_text="opened the record, giving a reason")).to_contain_text(
        REASON
    )
    expect(trail.locator("tr", has_text="revealed the PESEL")).to_have_count(1)
    expect(trail).not_to_contain_text(JAN_PESEL)
    page.screenshot(path=str(RESULTS / "audit-trail-break-glass-and-reveal.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
