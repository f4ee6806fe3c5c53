"""Every desk page runs its scripts without an error in Chromium.

A script that fails to parse (a name declared twice by a merge, say) leaves its part of the
page dead without a word: the softphone's hold and transfer buttons once stayed hidden so.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Centre
from tests.e2e.test_desk_in_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.browser]

# The pages each person opens; between them they hold every role of the demo.
PAGES = {
    "anna": ["/desk/", "/desk/board", "/desk/customers", "/desk/voicemail", "/desk/audit",
             "/desk/break-glass", "/desk/my-customers", "/desk/account"],
    "mihai": ["/desk/", "/admin/", "/desk/imports"],
}  # fmt: skip


@pytest.mark.parametrize("login", list(PAGES))
def test_every_desk_page_runs_its_scripts_without_an_error(
    centre: Centre, page: Page, login: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    sign_in(page, centre.web, login, language="pl")
    for path in PAGES[login]:
        page.goto(f"{centre.web}{path}")
        expect(page.locator("main, body").first).to_be_visible()
        page.wait_for_load_state("load")
    assert errors == []
    page.get_by_role("button", name="Wyloguj").click()
