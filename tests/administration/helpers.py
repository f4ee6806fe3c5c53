"""Signing in as the demo people, and posting the desk's forms as a browser would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import form_token


def signed_in(app, login: str, password: str = "demo1234") -> tuple[FlaskClient, str]:  # type: ignore[no-untyped-def]
    """Return a fresh client signed in as login, with the desk in English (these tests read
    its English words), and its pages' CSRF token."""
    client = app.test_client()
    response = client.post(
        "/desk/login",
        data={"login": login, "password": password, "csrf_token": form_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    token = form_token(client, "/desk/account")
    chosen = client.post("/desk/account/language", data={"language": "en", "csrf_token": token})
    assert chosen.status_code == 302, chosen.get_data(as_text=True)
    return client, form_token(client, "/desk/account")


def one_time_password(page: str) -> str:
    """Return the one-time password a page shows."""
    found = re.search(r'id="one-time-password">([^<]+)<', page)
    assert found, page
    return found.group(1)
