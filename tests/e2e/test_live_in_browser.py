"""The live desk in Chromium: the banner when the centre goes away and back, and one phone for
a consultant's many tabs."""

from __future__ import annotations

import pytest
import redis
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import create_engine, text

from routing.engine import RoutingEngine
from routing.live import ConsultantState
from tests.e2e.conftest import PATIENCE_MS, Centre, wait_for
from tests.e2e.test_desk_in_browser import (
    RESULTS,
    WATCH_SOUND_AND_NOTIFICATIONS,
    ask_for_a_consultant,
    sign_in,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

JAN = "+48601000001"


def consultant_id(centre: Centre, login: str) -> int:
    engine = create_engine(centre.env["DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT id FROM consultants WHERE login = :login"), {"login": login}
        ).scalar_one()
    engine.dispose()
    return int(found)


def test_the_banner_shows_while_the_centre_is_away_and_clears_when_it_is_back(
    centre: Centre, page: Page
):
    sign_in(page, centre.web, "mihai")
    expect(page.locator("#state")).to_have_text("Offline")
    banner = page.locator("#connection-lost")
    expect(banner).to_be_hidden()

    centre.stop("web")
    try:
        expect(banner).to_be_visible(timeout=PATIENCE_MS)
        expect(banner).to_have_text("Connection to the centre lost; retrying…")
        page.screenshot(path=str(centre.logs / "desk-connection-lost.png"), full_page=True)
        # While the web is away, routing goes on: Mihai is put on a break (as a supervisor's
        # tool or another process would), which the page learns once it is back.
        engine = RoutingEngine(redis.Redis.from_url(centre.env["REDIS_URL"]))
        engine.set_state(consultant_id(centre, "mihai"), ConsultantState.BREAK, reason="lunch")
    finally:
        centre.start("web")
    expect(banner).to_be_hidden(timeout=PATIENCE_MS)
    expect(page.locator("#state")).to_have_text("On a break")
    page.get_by_role("button", name="Offline").click()
    expect(page.locator("#state")).to_have_text("Offline")


def test_of_a_consultants_two_tabs_one_rings_and_the_other_shows_the_call_and_can_answer_it(
    centre: Centre, context: BrowserContext
):
    RESULTS.mkdir(exist_ok=True)
    context.add_init_script(WATCH_SOUND_AND_NOTIFICATIONS)
    first = context.new_page()
    sign_in(first, centre.web, "anna")
    expect(first.locator("#phone-status")).to_have_text("Phone ready")
    second = context.new_page()
    second.goto(f"{centre.web}/desk/")
    expect(second.locator("#phone-status")).to_have_text("Phone ready")
    for tab in (first, second):
        tab.locator("h1").click()  # a touch lets a tab make sound
    first.get_by_role("button", name="Available").click()
    expect(second.locator("#state")).to_have_text("Available")

    sid = centre.place_call(JAN, ask_for_a_consultant(centre))
    for tab in (first, second):
        expect(tab.locator("#phone-status")).to_have_text("Ringing", timeout=PATIENCE_MS)
        expect(tab.locator("#customer-link")).to_have_text("Jan Wiśniewski")
    # The first tab holds the phone: it rings; the second says where the call rings.
    wait_for(lambda: {440, 480} <= set(first.evaluate("window.__tones")), what="the ring")
    expect(first.locator("#phone-elsewhere")).to_be_hidden()
    expect(second.locator("#phone-elsewhere")).to_be_visible()
    assert second.evaluate("window.__tones") == [], "the second tab stays silent"
    second.screenshot(path=str(RESULTS / "second-tab-shows-the-ringing-call.png"), full_page=True)

    # Answered from the second tab, the call is taken by the phone of the first.
    second.get_by_role("button", name="Answer").click()
    for tab in (first, second):
        expect(tab.locator("#state")).to_have_text("On a call", timeout=PATIENCE_MS)
        expect(tab.locator("#phone-status")).to_have_text("On a call")
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to hear Anna",
    )
    second.get_by_role("button", name="Hang up").click()
    expect(first.locator("#phone-status")).to_have_text("Phone ready", timeout=PATIENCE_MS)

    # The first tab closes: the second takes the phone over.
    first.close()
    expect(second.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    second.get_by_label("Notes").fill("Asked about documents.")
    second.get_by_role("button", name="Save contact").click()
    second.goto(f"{centre.web}/desk/")
    expect(second.locator("#phone-status")).to_have_text("Phone ready")
    second.get_by_role("button", name="Offline").click()
    expect(second.locator("#state")).to_have_text("Offline")
