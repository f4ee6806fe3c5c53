"""Every route of the app, tried by a person of every role and by an anonymous visitor.

The table below says, in the test's own words, who may use each route. A route added to the app
without a line here fails the first test, so nobody adds a page without deciding who may open it.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from consultants.models import Consultant
from hotline.access import MATRIX, Permission, Role, permissions_of
from hotline.db import db
from tests.conftest import form_token

PUBLIC = "public"
TWILIO = "twilio"
SIGNED_IN = "anyone signed in, whatever their roles"
C, S, E, A = Role.CONSULTANT, Role.SUPERVISOR, Role.CONTENT_EDITOR, Role.ADMINISTRATOR

# endpoint -> who may use it: PUBLIC, TWILIO (signed webhooks, no person at all), SIGNED_IN or
# the roles.
EXPECTED: dict[str, str | frozenset[Role]] = {
    "index": PUBLIC,
    "static": PUBLIC,
    "desk.static": PUBLIC,
    "desk.login": PUBLIC,
    "desk.second_factor": PUBLIC,
    "ivr.health": PUBLIC,
    "desk.logout": SIGNED_IN,
    "desk.account": SIGNED_IN,
    "desk.account_language": SIGNED_IN,
    "desk.account_second_factor": SIGNED_IN,
    "desk.desk": frozenset({C}),
    "desk.softphone_token": frozenset({C}),
    "desk.state": frozenset({C}),
    "desk.desk_events": frozenset({C}),
    "desk.change_state": frozenset({C}),
    "desk.wrap_up_page": frozenset({C}),
    "desk.wrap_up": frozenset({C}),
    "desk.find_caller": frozenset({C}),
    "desk.link_caller": frozenset({C}),
    "desk.start_customer": frozenset({C}),
    "desk.my_customers": frozenset({C}),
    "desk.follow_up_done": frozenset({C}),
    "desk.voicemail": frozenset({C}),
    "desk.voicemail_audio": frozenset({C}),
    "desk.handle_voicemail": frozenset({C}),
    "desk.call_recording_audio": frozenset({C}),
    "desk.customers": frozenset({C}),
    "desk.customer": frozenset({C}),
    "desk.update_customer": frozenset({C}),
    "desk.call_controls": frozenset({C}),
    "desk.call_hold": frozenset({C}),
    "desk.call_recording": frozenset({C}),
    "desk.call_transfer": frozenset({C}),
    "desk.call_consult": frozenset({C}),
    "desk.call_join": frozenset({C}),
    "desk.call_hand_over": frozenset({C}),
    "desk.call_end_party": frozenset({C}),
    "desk.open_customer": frozenset({C}),
    "desk.text_customer": frozenset({C}),
    "desk.call_customer": frozenset({C}),
    "desk.text_voicemail_caller": frozenset({C}),
    "desk.call_voicemail_caller": frozenset({C}),
    "desk.outreach_answered": TWILIO,
    "desk.outreach_screened": TWILIO,
    "desk.outreach_consultant_status": TWILIO,
    "desk.outreach_customer_status": TWILIO,
    "desk.reveal_pesel": frozenset({C}),
    "desk.break_glass_list": frozenset({S}),
    "desk.audit_page": frozenset({S, A}),
    "desk.audit_export": frozenset({S, A}),
    "desk.board": frozenset({S}),
    "desk.board_figures": frozenset({S}),
    "desk.board_events": frozenset({S}),
    "desk.live_calls": frozenset({S}),
    "desk.supervise_call": frozenset({S}),
    "desk.leave_call": frozenset({S}),
    "desk.hand": frozenset({C}),
    "privacy.customer_page": frozenset({S}),
    "privacy.export": frozenset({S}),
    "privacy.place_hold": frozenset({S}),
    "privacy.release_hold": frozenset({S}),
    "privacy.erase": frozenset({S}),
    "privacy.reports": frozenset({S}),
    "desk.imports": frozenset({E}),
    "desk.start_import": frozenset({E}),
    "desk.import_run": frozenset({E}),
    "desk.import_run_state": frozenset({E}),
    "admin.index": frozenset({A}),
    "admin.new_person": frozenset({A}),
    "admin.person": frozenset({A}),
    "admin.reset_password": frozenset({A}),
    "admin.new_customer": frozenset({A}),
    "admin.customer": frozenset({A}),
    "admin.offices": frozenset({A}),
    "admin.office": frozenset({A}),
    "admin.imports": frozenset({A}),
    "admin.import_run": frozenset({A}),
    "admin.import_run_state": frozenset({A}),
    "admin.reassign_advisor": frozenset({S}),
    "admin.faq": frozenset({E}),
    "admin.faq_entry": frozenset({E}),
    "admin.publish_faq": frozenset({E}),
    "admin.faq_import": frozenset({E}),
    "admin.faq_import_run": frozenset({E}),
    "admin.faq_import_run_state": frozenset({E}),
    "ivr.incoming": TWILIO,
    "ivr.language": TWILIO,
    "ivr.start": TWILIO,
    "ivr.show": TWILIO,
    "ivr.receive": TWILIO,
    "ivr.silence": TWILIO,
    "ivr.voicemail_done": TWILIO,
    "ivr.status": TWILIO,
    "ivr.fallback": TWILIO,
    "messaging.incoming_sms": TWILIO,
    "recordings.status": TWILIO,
    "recordings.transcription": TWILIO,
    "routing.wait": TWILIO,
    "routing.queue_result": TWILIO,
    "routing.wait_key": TWILIO,
    "routing.voicemail_done": TWILIO,
    "routing.recording_consent": TWILIO,
    "routing.connect": TWILIO,
    "routing.join": TWILIO,
    "routing.screen_key": TWILIO,
    "routing.leg_status": TWILIO,
    "routing.requeue": TWILIO,
    "routing.room_left": TWILIO,
    "routing.music": TWILIO,
    "routing.room_status": TWILIO,
    "routing.party_status": TWILIO,
    "routing.transferred": TWILIO,
    "routing.transfer_out": TWILIO,
    "routing.callback_connect": TWILIO,
    "routing.callback_result": TWILIO,
    "routing.callback_status": TWILIO,
    "routing.supervise_join": TWILIO,
    "routing.supervise_screen_key": TWILIO,
    "routing.supervise_status": TWILIO,
    "routing.supervise_left": TWILIO,
}
PASSWORD = "a long test password"
# Values for a path's variables: ids that exist nowhere (an allowed person gets 404, not 403).
PATH_VALUES = {"int": "987654", "path": "desk.css", "default": "menu"}


def path_of(rule: Rule) -> str:
    """Fill a rule's variables with harmless values."""

    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or "default"
        if converter == "any":  # one of the words it lists
            return match.group(2).split(",")[0].strip().strip("'\"")
        return PATH_VALUES.get(converter, PATH_VALUES["default"])

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", value, rule.rule)


def method_of(rule: Rule) -> str:
    """Pick the method to try a rule with: GET where it has one."""
    methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


def rules_of(app: Flask) -> list[Rule]:
    """Return every rule, with logout last (it ends the session the others need)."""
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "desk.logout")


def person(login: str, roles: list[Role]) -> None:
    """Create a person holding exactly these roles."""
    with db.transaction() as session:
        session.add(
            Consultant(
                login=login,
                name=login.title(),
                password_hash=generate_password_hash(PASSWORD),
                roles=[role.value for role in roles],
            )
        )


def signed_in_client(app: Flask, login: str) -> tuple[FlaskClient, str]:
    """Sign a person in on a fresh client; return it and the CSRF token of its pages."""
    client = app.test_client()
    response = client.post(
        "/desk/login",
        data={"login": login, "password": PASSWORD, "csrf_token": form_token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, form_token(client, "/desk/account")


def attempt(client: FlaskClient, rule: Rule, token: str | None):  # type: ignore[no-untyped-def]
    """Use a rule as a browser on the desk would (with the page's CSRF token on a change)."""
    method = method_of(rule)
    headers = {"X-CSRFToken": token} if token and method != "GET" else {}
    return client.open(path_of(rule), method=method, headers=headers, json=None)


def test_every_route_of_the_app_says_who_may_use_it(app: Flask):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(EXPECTED) == set(), "routes without a line in EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "EXPECTED names routes the app no longer has"


def test_the_matrix_gives_each_role_its_own_work():
    assert permissions_of([C]) >= {Permission.TAKE_CALLS, Permission.CUSTOMER_RECORDS}
    assert Permission.QUEUE_BOARD in MATRIX[S] and Permission.QUEUE_BOARD not in MATRIX[C]
    assert {Permission.IMPORT_OFFERS, Permission.EDIT_FAQ} <= MATRIX[E]
    assert Permission.ADMINISTER in MATRIX[A]
    assert all(Permission.ADMINISTER not in MATRIX[role] for role in (C, S, E))
    assert permissions_of([C, S]) == MATRIX[C] | MATRIX[S] | {Permission.OWN_ACCOUNT}
    assert permissions_of(["retired-role"]) == permissions_of([]), "an unknown role grants nothing"
    assert permissions_of([]) == {Permission.OWN_ACCOUNT}


@pytest.mark.parametrize("role", [*Role, None], ids=[*(r.value for r in Role), "no-role"])
def test_a_person_of_each_role_reaches_exactly_the_routes_of_that_role(
    app: Flask, role: Role | None
):
    login = f"only-{role.value if role else 'nothing'}"
    person(login, [role] if role else [])
    client, token = signed_in_client(app, login)
    wrong = []
    for rule in rules_of(app):
        expected = EXPECTED[rule.endpoint]
        response = attempt(client, rule, token)
        status = response.status_code
        if expected == TWILIO:
            ok = status == 403 and b"Twilio signature" in response.data
        elif expected == PUBLIC:
            ok = status != 403
        elif expected == SIGNED_IN or role in expected:  # type: ignore[operator]
            # Signing out sends a person to the sign-in page; nothing else may.
            to_login = "/desk/login" in response.headers.get("Location", "")
            ok = status not in (401, 403) and (not to_login or rule.endpoint == "desk.logout")
        else:
            ok = status == 403
        if not ok:
            wrong.append(f"{method_of(rule)} {path_of(rule)} ({rule.endpoint}): {status}")
    assert wrong == []


def test_an_anonymous_visitor_is_sent_to_sign_in_and_scripts_are_told_401(app: Flask):
    client = app.test_client()
    wrong = []
    for rule in rules_of(app):
        expected = EXPECTED[rule.endpoint]
        response = attempt(client, rule, None)
        status = response.status_code
        if expected == TWILIO:
            ok = status == 403
        elif expected == PUBLIC:
            ok = status not in (401, 403)
        elif "/api/" in rule.rule:
            ok = status == 401 and response.json == {"error": "najpierw się zaloguj"}
        else:
            ok = status == 302 and "/desk/login" in response.headers["Location"]
        if not ok:
            wrong.append(f"{method_of(rule)} {path_of(rule)} ({rule.endpoint}): {status}")
    assert wrong == []


def test_a_person_holding_several_roles_has_the_work_of_each(app: Flask):
    person("team-lead", [C, S])
    client, _token = signed_in_client(app, "team-lead")
    assert client.get("/desk/").status_code == 200
    assert client.get("/desk/board").status_code == 200
    refused = client.get("/desk/imports")
    assert refused.status_code == 403
    # In the person's language (Polish, the desk's default), the page and the scripts alike.
    assert "Twoje role na to nie pozwalają." in refused.get_data(as_text=True)
    assert client.get("/desk/api/imports/1").json == {"error": "Twoje role na to nie pozwalają."}


def test_the_menu_offers_only_what_the_person_may_open(app: Flask):
    person("editor", [E])
    client, _token = signed_in_client(app, "editor")
    page = client.get("/desk/imports").get_data(as_text=True)
    assert 'href="/desk/imports"' in page
    assert 'href="/desk/board"' not in page and 'href="/desk/customers"' not in page
    assert 'id="softphone"' not in page, "a content editor takes no calls"


def test_a_person_lands_on_the_first_page_their_roles_open(app: Flask):
    person("watcher", [S])
    client = app.test_client()
    response = client.post(
        "/desk/login",
        data={"login": "watcher", "password": PASSWORD, "csrf_token": form_token(client)},
    )
    assert response.headers["Location"] == "/desk/board"
