"""The desk's pages under their Content Security Policy, in Chromium: nothing is blocked, and
the softphone still rings through the phone network emulator on another origin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import PATIENCE_MS, Centre, wait_for
from tests.e2e.test_desk_in_browser import ask_for_a_consultant, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

EMMA = "+447400123456"  # one of Anna's own customers
# Every CSP violation the page reports to itself, whatever the browser prints.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_every_desk_page_runs_under_the_csp_with_nothing_blocked(centre: Centre, page: Page):
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console.append(f"{page.url}: {message.text}")

    page.on("console", note)
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(f"{centre.web}/desk/login")
    policy = page.evaluate(
        "() => fetch(location.href).then((r) => r.headers.get('content-security-policy'))"
    )
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    # Anna answers calls, supervises and edits offers: she opens every kind of desk page.
    sign_in(page, centre.web, "anna")
    expect(page.locator("#phone-status")).to_have_text("Phone ready", timeout=PATIENCE_MS)
    page.get_by_role("button", name="Available").click()
    expect(page.locator("#state")).to_have_text("Available")
    visited = []
    for name in ("Customers", "Voicemail", "Queue board", "Imports", "Anna Nowak", "Desk"):
        page.get_by_role("link", name=re.compile(f"^{name}")).first.click()
        page.wait_for_load_state("networkidle")
        visited.append(page.url)
        assert page.evaluate("window.__violations") == [], page.url
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_label("Name, PESEL or phone").fill("Clarke")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Emma Clarke").click()
    expect(page.locator("#phone-status")).to_have_text("Phone ready", timeout=PATIENCE_MS)

    # The softphone on the record page rings through the emulator (another origin, with its
    # control token) and answers.
    sid = centre.place_call(EMMA, ask_for_a_consultant(centre))
    expect(page.locator("#phone-answer")).to_be_visible(timeout=PATIENCE_MS)
    page.locator("#phone-answer").click()
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="Emma to be connected to Anna's softphone",
    )
    page.locator("#phone-hangup").click()

    # The wrap-up form posts with its CSRF token, and Anna leaves the desk as she found it.
    page.goto(f"{centre.web}/desk/")
    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    page.get_by_label("Resolved").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#contacts")).to_contain_text("Resolved")
    page.goto(f"{centre.web}/desk/")
    page.get_by_role("button", name="Offline").click()
    expect(page.locator("#state")).to_have_text("Offline")

    assert page.evaluate("window.__violations") == []
    assert [line for line in console if "Content Security Policy" in line] == []
    assert len(visited) == 6
    print("console errors and warnings:", console)

    # And the policy does bite: a script slipped into the page does not run.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    assert page.evaluate("window.__ran") is None
    wait_for(lambda: page.evaluate("window.__violations"), what="the inline script's violation")
