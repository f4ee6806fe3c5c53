"""A consultant takes calls on the real desk pages, in Chromium."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PATIENCE_MS, PATIENCE_SECONDS, Centre, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

MARIA = "+48601000002"
OKSANA = "+48601000003"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

# The page's own view of what it does with sound and notifications: which tones its Web Audio
# oscillators play, and which notifications it shows (granted, as if the consultant had
# allowed them, with the tab in the background so that the softphone shows one).
WATCH_SOUND_AND_NOTIFICATIONS = """
window.__tones = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones.push(this.frequency.value);
  return start.apply(this, args);
};
window.__notifications = [];
window.Notification = class {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) {
    this.title = title;
    this.body = options.body;
    this.closed = false;
    window.__notifications.push(this);
  }
  close() { this.closed = true; }
};
document.hasFocus = () => false;
"""


def ask_for_a_consultant(centre: Centre) -> list[dict[str, object]]:
    """Return a caller's script: past the greeting, press 0, then stay in the queue.

    A scripted caller whose script has run out hangs up at the next Gather, and the queue's
    wait loop, played faster by the emulator, has one every few tenths of a second: on a
    loaded machine the caller could be gone before the router offers the call. A wait step
    keeps them busy, letting Gathers pass, for as long as the test is patient.
    """
    scale = float(centre.env["EMULATOR_TIME_SCALE"])
    return [{"silence": True}, {"press": "0"}, {"wait": PATIENCE_SECONDS / scale}]


def sign_in(page: Page, web: str, login: str, language: str = "en") -> None:
    """Sign in on the (Polish) sign-in page, then choose the desk's language on the account
    page, as a consultant does; these tests read the English desk."""
    page.goto(f"{web}/desk/")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Hasło").fill("demo1234")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.locator("a.who")).to_be_visible()
    page.goto(f"{web}/desk/account")
    page.locator(f"input[name=language][value={language}]").check()
    page.locator("form[action$='/account/language'] button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl" if language == "pl" else "en-GB")
    page.goto(f"{web}/desk/")


def test_consultant_answers_wraps_up_and_sees_the_contact_on_the_record(centre: Centre, page: Page):
    sign_in(page, centre.web, "piotr")
    expect(page.locator("#state")).to_have_text("Offline")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#state")).to_have_text("Available")

    sid = centre.place_call(MARIA, ask_for_a_consultant(centre))
    expect(page.locator("#call-panel")).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#customer-link")).to_have_text("Maria Zielińska")
    expect(page.locator("#own-badge")).to_be_visible()
    expect(page.locator("#vulnerable-badge")).to_be_visible()
    page.screenshot(path=str(centre.logs / "desk-ringing.png"), full_page=True)

    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#state")).to_have_text("On a call", timeout=PATIENCE_MS)
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to be connected",
    )
    page.get_by_role("button", name="Hang up").click()

    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    page.get_by_label("Follow-up needed").check()
    page.get_by_label("Due on").fill((date.today() + timedelta(days=2)).isoformat())
    page.get_by_label("Notes").fill("Will send the training list.")
    page.get_by_role("button", name="Save contact").click()
    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    expect(page.locator("#contacts")).to_contain_text("Will send the training list.")
    expect(page.locator("#contacts")).to_contain_text("Follow-up needed")
    page.screenshot(path=str(centre.logs / "desk-record.png"), full_page=True)


def test_an_available_consultant_on_a_customer_record_hears_the_ring_and_answers_there(
    centre: Centre, page: Page
):
    RESULTS.mkdir(exist_ok=True)
    page.add_init_script(WATCH_SOUND_AND_NOTIFICATIONS)
    sign_in(page, centre.web, "olena")
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#state")).to_have_text("Available")

    # Olena goes to work on another customer's record, and is there when Oksana rings.
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_label("Name, PESEL or phone").fill("Wiśniewski")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Jan Wiśniewski").click()
    # Jan is Anna's customer, not on Olena's call: she says why she needs his record.
    page.get_by_label("Reason").fill("Jan asked our office to check his registration.")
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(re.compile(r"/desk/customers/\d+$"))
    record = page.url
    page.get_by_label("Individual action plan notes").click()
    expect(page.locator("#phone-status")).to_have_text("Phone ready")

    sid = centre.place_call(OKSANA, ask_for_a_consultant(centre))
    softphone = page.locator("#softphone")
    expect(softphone).to_be_visible(timeout=PATIENCE_MS)
    expect(page.locator("#softphone-title")).to_have_text("Incoming call")
    expect(page.locator("#softphone-customer")).to_have_text("Oksana Bondarenko")
    expect(page.locator("#softphone-own")).to_be_visible()
    expect(page.locator("#phone-status")).to_have_text("Ringing")
    expect(page.get_by_role("button", name="Decline")).to_be_visible()
    expect(page.locator("#phone-sound")).to_be_hidden()
    wait_for(lambda: {440, 480} <= set(page.evaluate("window.__tones")), what="the ring tone")
    wait_for(
        lambda: page.evaluate("window.__notifications.map(n => [n.title, n.body, n.closed])"),
        what="a notification of the ringing call",
    )
    notes = page.evaluate("window.__notifications.map(n => [n.title, n.body, n.closed])")
    assert notes == [["Incoming call", f"Oksana Bondarenko ({OKSANA})", False]]
    page.screenshot(
        path=str(RESULTS / "softphone-ringing-on-a-customer-record.png"), full_page=True
    )

    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#softphone-title")).to_have_text("On a call", timeout=PATIENCE_MS)
    wait_for(
        lambda: page.request.get(f"{centre.web}/desk/api/state").json()["state"] == "on-call",
        what="the network's answer to reach the centre",
    )
    assert page.url == record, "answered where she was"
    assert page.evaluate("window.__notifications[0].closed")
    leg = wait_for(
        lambda: next(
            (e for e in centre.endpoints() if e["address"].startswith("client:consultant-")
             and e["state"] == "connected"),
            None,
        ),
        what="Olena's phone to be connected",
    )  # fmt: skip
    assert leg["answered_by"] == "person"
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="the caller to be connected",
    )
    expect(page.locator("#softphone-timer")).to_contain_text("Talking for 0:")
    page.get_by_role("button", name="Mute").click()
    expect(page.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Key 5").click()
    expect(page.locator("#phone-error")).to_be_hidden()
    page.screenshot(
        path=str(RESULTS / "softphone-connected-on-a-customer-record.png"), full_page=True
    )

    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#softphone-title")).to_have_text("Call ended", timeout=PATIENCE_MS)
    expect(page.locator("#phone-wrap-up")).to_contain_text("Fill in the wrap-up on the Desk")
    # The timed wrap-up counts down in the header, on this page as on every other.
    expect(page.locator("#wrap-countdown")).to_contain_text(re.compile(r"Wrap-up: \d+:\d\d left"))
    expect(page.locator("#softphone-timer")).to_be_hidden()
    wait_for(
        lambda: page.request.get(f"{centre.web}/desk/api/state").json()["state"] == "wrap-up",
        what="the wrap-up after the call",
    )
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    offline = page.request.post(
        f"{centre.web}/desk/api/state", data={"state": "offline"}, headers={"X-CSRF-Token": token}
    )
    assert offline.ok, offline.text()
