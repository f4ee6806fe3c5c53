"""A consultant takes the first call on the real desk page, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

MARIA = "+48601000002"


def test_consultant_answers_wraps_up_and_sees_the_contact_on_the_record(centre: Centre, page: Page):
    page.goto(f"{centre.web}/desk/")
    page.get_by_label("Login").fill("piotr")
    page.get_by_label("Password").fill("demo1234")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#state")).to_have_text("offline")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#state")).to_have_text("available")

    sid = centre.place_call(MARIA, [{"silence": True}, {"press": "0"}])
    expect(page.locator("#call-panel")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#customer-link")).to_have_text("Maria Zielińska")
    expect(page.locator("#own-badge")).to_be_visible()
    expect(page.locator("#vulnerable-badge")).to_be_visible()
    page.screenshot(path=str(centre.logs / "desk-ringing.png"), full_page=True)

    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#state")).to_have_text("on-call", timeout=PATIENCE_MS)
    wait_for(
        lambda: any(e["kind"] == "connected" for e in centre.call(sid)["events"]),
        what="the caller to be connected",
    )
    page.get_by_role("button", name="Hang up").click()

    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    page.get_by_label("follow-up").check()
    page.get_by_label("Notes").fill("Will send the training list.")
    page.get_by_role("button", name="Save contact").click()
    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    expect(page.locator("#contacts")).to_contain_text("Will send the training list.")
    expect(page.locator("#contacts")).to_contain_text("follow-up")
    page.screenshot(path=str(centre.logs / "desk-record.png"), full_page=True)
