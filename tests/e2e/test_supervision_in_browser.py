"""A supervisor on the queue board, in Chromium, answers a consultant's raised hand by coaching
the live call, then barges in; the emulator's room says who hears whom."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PATIENCE_MS, PATIENCE_SECONDS, Centre, wait_for
from tests.e2e.test_desk_in_browser import sign_in
from tests.e2e.test_supervision import who_hears

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

MARIA = "+48601000002"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def identity_of(page: Page) -> str:
    return str(page.locator("#softphone").get_attribute("data-identity"))


def test_a_supervisor_on_the_board_coaches_a_live_call_then_barges_in(
    centre: Centre, page: Page, browser: Browser
):
    RESULTS.mkdir(exist_ok=True)
    # Piotr takes Maria's call in his browser.
    piotr = browser.new_context().new_page()
    sign_in(piotr, centre.web, "piotr")
    piotr.get_by_role("button", name="Available").click()
    expect(piotr.locator("#state")).to_have_text("Available")
    # Anna, a supervisor, watches the board, not taking calls herself.
    sign_in(page, centre.web, "anna")
    page.get_by_role("button", name="Offline").click()
    page.get_by_role("link", name="Queue board").click()
    expect(page.get_by_role("heading", name="Calls in progress")).to_be_visible()
    expect(page.locator("#phone-status")).to_have_text("Phone ready")

    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    sid = centre.place_call(
        MARIA, [{"silence": True}, {"press": "0"}, {"wait": 4 * PATIENCE_SECONDS / scale}]
    )
    # A callback an earlier test left pending may ring first: Piotr takes it, and it runs its
    # course (its customer does not answer, and it is retried long after this test).
    title = piotr.locator("#softphone-title")
    expect(title).to_have_text(re.compile("Incoming call|Callback to make"), timeout=PATIENCE_MS)
    while title.inner_text() == "Callback to make":
        piotr.get_by_role("button", name="Answer").click()
        expect(title).to_have_text(re.compile("Incoming call|Call ended"), timeout=PATIENCE_MS)
        expect(title).to_have_text(
            re.compile("Incoming call|Callback to make"), timeout=PATIENCE_MS
        )
    expect(piotr.locator("#softphone-number")).to_have_text(MARIA)
    piotr.get_by_role("button", name="Answer").click()
    expect(piotr.locator("#softphone-title")).to_have_text("On a call", timeout=PATIENCE_MS)
    consultant = "consultant-" + identity_of(piotr).rsplit("-", 1)[1]
    supervisor = "supervisor-" + identity_of(page).rsplit("-", 1)[1]
    wait_for(
        lambda: who_hears(centre, sid) == {"caller": {consultant}, consultant: {"caller"}},
        what="Maria and Piotr to talk",
    )

    row = page.locator("#live-rows tr", has_text="Piotr Kowalski")
    expect(row).to_be_visible()
    piotr.get_by_role("button", name="Raise hand").click()
    expect(piotr.get_by_role("button", name="Lower hand")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#hands")).to_have_text("Hand raised: Piotr Kowalski asks for help.")
    expect(row).to_contain_text("Hand raised")
    page.screenshot(path=str(RESULTS / "board-hand-raised.png"), full_page=True)

    # Anna coaches: her own softphone is rung into the room and picked up; only Piotr hears her.
    row.get_by_role("button", name="Coach").click()
    expect(page.locator("#softphone-title")).to_have_text(
        "In a colleague's call", timeout=PATIENCE_MS
    )
    expect(page.locator("#you")).to_contain_text("You are in a call: coaching")
    expect(row.get_by_role("button", name="Coach")).to_have_attribute("aria-pressed", "true")
    wait_for(
        lambda: (
            who_hears(centre, sid)
            == {
                "caller": {consultant},
                consultant: {"caller", supervisor},
                supervisor: {"caller", consultant},
            }
        ),
        what="only Piotr to hear Anna",
    )
    expect(page.locator("#hands")).to_be_hidden()
    expect(piotr.get_by_role("button", name="Raise hand")).to_be_visible()
    expect(piotr.locator("#phone-hand-note")).to_have_text("A supervisor has come to your call.")
    page.screenshot(path=str(RESULTS / "board-coaching.png"), full_page=True)

    # Anna barges in: now Maria hears her too.
    row.get_by_role("button", name="Barge in").click()
    expect(row.get_by_role("button", name="Barge in")).to_have_attribute("aria-pressed", "true")
    wait_for(
        lambda: (
            who_hears(centre, sid)
            == {
                "caller": {consultant, supervisor},
                consultant: {"caller", supervisor},
                supervisor: {"caller", consultant},
            }
        ),
        what="Maria to hear Anna barge in",
    )
    expect(row).to_contain_text("You · barging in")
    page.screenshot(path=str(RESULTS / "board-barging-in.png"), full_page=True)

    row.get_by_role("button", name="Leave").click()
    expect(page.locator("#softphone-title")).to_be_hidden(timeout=PATIENCE_MS)
    wait_for(
        lambda: who_hears(centre, sid) == {"caller": {consultant}, consultant: {"caller"}},
        what="Anna to leave Maria and Piotr talking",
    )
    piotr.get_by_role("button", name="Hang up").click()
    expect(row).to_be_hidden(timeout=PATIENCE_MS)
    wait_for(
        lambda: piotr.request.get(f"{centre.web}/desk/api/state").json()["state"] == "wrap-up",
        what="Piotr's wrap-up",
    )
    token = piotr.locator('meta[name="csrf-token"]').get_attribute("content")
    piotr.request.post(
        f"{centre.web}/desk/api/state", data={"state": "offline"}, headers={"X-CSRF-Token": token}
    )
