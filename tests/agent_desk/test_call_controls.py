"""The desk's call-control API refuses in words what cannot be done, and reads only JSON objects."""

from __future__ import annotations

import pytest

from tests.agent_desk.test_desk import sign_in

PATHS = [
    "/desk/api/call/hold",
    "/desk/api/call/transfer",
    "/desk/api/call/consult",
    "/desk/api/call/join",
    "/desk/api/call/hand-over",
    "/desk/api/call/end-party",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_consultant_not_on_a_call_is_told_so(client, demo, path: str) -> None:
    _response, token = sign_in(client)
    refused = client.post(path, json={}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 409
    assert refused.get_json() == {"error": "you are not on a call"}


@pytest.mark.parametrize("body", ["[1, 2]", "{not json", '"hold"'])
def test_a_body_that_is_not_a_json_object_is_refused(client, demo, body: str) -> None:
    _response, token = sign_in(client)
    refused = client.post(
        "/desk/api/call/hold",
        data=body,
        headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
    )
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "send a JSON object"}


def test_call_control_needs_a_signed_in_consultant_and_the_csrf_token(client, demo) -> None:
    assert client.get("/desk/api/call").status_code == 401
    sign_in(client)
    assert client.post("/desk/api/call/hold", json={"on": True}).status_code == 400


def test_off_a_call_the_controls_offer_colleagues_the_directory_languages_and_topics(
    client, demo
) -> None:
    sign_in(client)
    view = client.get("/desk/api/call").get_json()
    assert view["call_sid"] is None
    assert {c["name"] for c in view["colleagues"]} == {
        "Piotr Kowalski",
        "Olena Shevchenko",
        "Mihai Ionescu",
    }
    assert "+48116111" in {entry["number"] for entry in view["directory"]}
    assert view["languages"] == ["pl", "en", "uk", "ro"]
    assert "eures" in view["topics"]
