"""A consultant opens a record that is not theirs, in Chromium, and a supervisor sees it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from centre.demo import pesel
from tests.e2e.conftest import Centre
from tests.e2e.test_desk_in_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
JAN_PESEL = pesel("850312", "1234")
REASON = "Jan rang the Kraków office; Anna, his advisor, is away today."


def test_a_record_opened_with_a_reason_and_a_revealed_pesel_reach_the_audit_trail(
    centre: Centre, page: Page
):
    RESULTS.mkdir(exist_ok=True)
    sign_in(page, centre.web, "piotr")
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_label("Name, PESEL or phone").fill("jan wisniewski")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/desk/customers$"))  # the term stays out of it
    page.get_by_role("link", name="Jan Wiśniewski").click()

    expect(page.get_by_role("heading", name="Say why you need this record")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Targowa")
    page.screenshot(path=str(RESULTS / "record-refused-without-a-reason.png"), full_page=True)

    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Jan Wiśniewski")).to_be_visible()
    expect(page.locator("#pesel")).to_have_text(JAN_PESEL[:6] + "*****")
    expect(page.locator("body")).not_to_contain_text(JAN_PESEL)

    page.get_by_role("button", name=re.compile("^Reveal")).click()
    expect(page.locator("#pesel")).to_have_text(JAN_PESEL)
    page.screenshot(path=str(RESULTS / "record-pesel-revealed.png"), full_page=True)
    page.reload()  # the reveal is shown once: a reload shows the record masked again
    expect(page.locator("#pesel")).to_have_text(JAN_PESEL[:6] + "*****")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, centre.web, "anna")
    page.get_by_role("link", name="Opened with a reason").click()
    openings = page.locator("#openings")
    expect(openings).to_contain_text("Piotr Kowalski")
    expect(openings).to_contain_text(REASON)
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_label("Who", exact=True).select_option(label="Piotr Kowalski")
    page.get_by_role("button", name="Show").click()
    trail = page.locator("#audit")
    expect(trail.locator("tr", has_text="opened the record, giving a reason")).to_contain_text(
        REASON
    )
    expect(trail.locator("tr", has_text="revealed the PESEL")).to_have_count(1)
    expect(trail).not_to_contain_text(JAN_PESEL)
    page.screenshot(path=str(RESULTS / "audit-trail-break-glass-and-reveal.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
