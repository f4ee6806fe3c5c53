"""A consultant holds a call, consults a colleague and hands the caller over, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PATIENCE_MS, Centre, wait_for
from tests.e2e.test_desk_in_browser import RESULTS, ask_for_a_consultant, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

JAN = "+48601000001"


def desk_state(page: Page, web: str) -> str:
    return str(page.request.get(f"{web}/desk/api/state").json()["state"])


@pytest.fixture
def desks(centre: Centre, browser: Browser) -> Iterator[tuple[Page, Page]]:
    """Anna's and Olena's browsers; afterwards both go offline, whatever happened."""
    pages = (browser.new_context().new_page(), browser.new_context().new_page())
    yield pages
    for page in pages:
        identity = page.locator("#softphone").get_attribute("data-identity")
        centre.endpoint_action(f"client:{identity}", "hangup")
        wait_for(
            lambda page=page: desk_state(page, centre.web) not in ("on-call", "ringing"),
            what="the consultant's call to end",
        )
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        page.request.post(
            f"{centre.web}/desk/api/state",
            data={"state": "offline"},
            headers={"X-CSRF-Token": token},
        )


def test_a_held_caller_is_consulted_on_and_warm_transferred_and_both_contacts_show(
    centre: Centre, desks: tuple[Page, Page]
):
    RESULTS.mkdir(exist_ok=True)
    anna, olena = desks
    sign_in(anna, centre.web, "anna")
    sign_in(olena, centre.web, "olena")
    anna.get_by_role("button", name="Available").click()
    expect(anna.locator("#state")).to_have_text("Available")

    sid = centre.place_call(JAN, ask_for_a_consultant(centre))
    expect(anna.locator("#softphone-title")).to_have_text("Incoming call", timeout=PATIENCE_MS)
    anna.get_by_role("button", name="Answer").click()
    expect(anna.locator("#softphone-title")).to_have_text("On a call", timeout=PATIENCE_MS)
    wait_for(lambda: desk_state(anna, centre.web) == "on-call", what="the network's answer")
    wait_for(
        lambda: any(e["kind"] == "talk" for e in centre.call(sid)["events"]),
        what="Jan to talk with Anna",
    )

    # Anna puts Jan on hold while she looks something up.
    anna.get_by_role("button", name="Hold").click()
    expect(anna.get_by_role("button", name="Resume")).to_be_visible()
    expect(anna.locator("#call-held")).to_be_visible()
    anna.screenshot(path=str(RESULTS / "transfer-1-caller-on-hold.png"), full_page=True)

    # Olena comes to work; Anna consults her while Jan holds.
    olena.get_by_role("button", name="Available").click()
    expect(olena.locator("#state")).to_have_text("Available")
    anna.get_by_role("button", name="Consult…").click()
    anna.locator("#xfer-to").select_option("colleague")
    colleague = anna.locator("#xfer-colleague option", has_text="Olena").get_attribute("value")
    assert colleague
    anna.locator("#xfer-colleague").select_option(colleague)
    anna.get_by_label("Note for whoever takes the call").fill("Jan asks about working in Germany.")
    anna.get_by_role("button", name="Ring them in").click()
    expect(anna.locator("#call-party-text")).to_contain_text("Olena Shevchenko ringing")

    expect(olena.locator("#softphone-title")).to_have_text("Incoming call", timeout=PATIENCE_MS)
    olena.get_by_role("button", name="Answer").click()
    expect(anna.locator("#call-party-text")).to_have_text(
        "Olena Shevchenko talking with you; the caller is on hold", timeout=PATIENCE_MS
    )
    expect(olena.locator("#customer-link")).to_have_text("Jan Wiśniewski")
    anna.screenshot(path=str(RESULTS / "transfer-2-consulting-a-colleague.png"), full_page=True)

    # Anna hands Jan over to Olena with a note, and leaves the call for her wrap-up.
    expect(anna.get_by_role("button", name="Consult…")).to_be_hidden()
    anna.get_by_role("button", name="Hand over").click()
    expect(anna.locator("#softphone-title")).to_have_text("Call ended", timeout=PATIENCE_MS)
    wait_for(lambda: desk_state(anna, centre.web) == "wrap-up", what="Anna's wrap-up")
    expect(olena.locator("#call-transferred-by")).to_contain_text(
        "Transferred by Anna Nowak", timeout=PATIENCE_MS
    )
    expect(olena.locator("#call-transferred-note")).to_have_text(
        "Note: Jan asks about working in Germany."
    )
    expect(olena.get_by_role("button", name="Hold")).to_be_visible()
    expect(olena.locator("#call-party")).to_be_hidden()
    olena.screenshot(path=str(RESULTS / "transfer-3-colleague-has-the-call.png"), full_page=True)
    assert centre.call(sid)["status"] == "in-progress", "Jan stays on the line with Olena"

    # Olena finishes the call and wraps up; the record shows both contacts.
    olena.get_by_role("button", name="Hang up").click()
    expect(olena.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible(
        timeout=PATIENCE_MS
    )
    olena.get_by_label("resolved").check()
    olena.get_by_label("Notes").fill("Explained EURES and sent the link.")
    olena.get_by_role("button", name="Save contact").click()
    expect(olena).to_have_url(re.compile(r"/desk/customers/\d+$"))
    contacts = olena.locator("#contacts tbody tr")
    olenas = contacts.filter(has_text="Explained EURES and sent the link.")
    expect(olenas).to_have_count(1)
    expect(olenas).to_contain_text("Olena Shevchenko")
    expect(olenas).to_contain_text("transferred by Anna Nowak")
    annas = contacts.filter(has_text="Jan asks about working in Germany.")
    expect(annas).to_have_count(1)
    expect(annas).to_contain_text("Anna Nowak")
    expect(annas).to_contain_text("awaiting wrap-up")
    expect(annas).to_contain_text("transferred to Olena Shevchenko")
    olena.screenshot(
        path=str(RESULTS / "transfer-4-both-contacts-on-the-record.png"), full_page=True
    )
