"""Every form on the desk, given a NUL or an over-long value in any of its fields, answers with
a page (a reason, or the value refused quietly), never with an error: on SQLite, and on
PostgreSQL, which refuses NUL in any text it is sent, even in a query that only looks."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from tests.conftest import form_token

PASSWORD = "a long test password"
BAD_VALUES = {"a NUL": "ab\x00cd", "20,000 characters": "x" * 20000, "a superscript two": "²"}


class FormReader(HTMLParser):
    """Collects a page's forms: where each goes, how, and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []  # type: ignore[type-arg]
        self.inside: dict | None = None  # type: ignore[type-arg]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            method = (found.get("method") or "get").lower()
            self.inside = {"action": found.get("action") or "", "method": method, "fields": {}}
            self.forms.append(self.inside)
        elif self.inside is not None and tag in ("input", "textarea", "select"):
            name, kind = found.get("name"), found.get("type") or "text"
            if not name or kind in ("submit", "button", "file"):
                return
            unticked = kind in ("checkbox", "radio") and "checked" not in found
            self.inside["fields"].setdefault(name, None if unticked else found.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = None


def pages_with_forms(customer: int, person: int) -> list[str]:
    return [
        "/desk/customers", f"/desk/customers/{customer}", f"/desk/customers/{customer}/advisor",
        "/desk/admin/", f"/desk/admin/customers/{customer}", "/desk/admin/customers/new",
        "/desk/admin/people/new", f"/desk/admin/people/{person}", "/desk/admin/offices/WAW",
        "/desk/admin/offices/NEW", "/desk/admin/imports", "/desk/faq/documents/pl",
        "/desk/faq/documents/uk", "/desk/imports", "/desk/audit", "/desk/break-glass",
        f"/desk/privacy/customers/{customer}", "/desk/account", "/desk/voicemail", "/desk/board",
    ]  # fmt: skip


def send(client: FlaskClient, page: str, form: dict, field: str, value: str) -> int:  # type: ignore[type-arg]
    """Send a form as a browser would, with one field's value replaced; return the status."""
    values = {name: given for name, given in form["fields"].items() if given is not None}
    values[field] = value
    target = urljoin(page, form["action"]) if form["action"] else page
    if form["method"] == "get":
        return client.get(target, query_string=values).status_code
    values["csrf_token"] = form_token(client, "/desk/account")
    return client.post(target, data=values).status_code


def test_no_field_of_any_form_breaks_a_page_with_nul_or_length(app, demo):
    with db.transaction() as session:
        session.add(Consultant(
            login="everything", name="Every Role", password_hash=generate_password_hash(PASSWORD),
            roles=["consultant", "supervisor", "content_editor", "administrator"],
        ))  # fmt: skip
    jan = db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()
    piotr = db.session.scalars(select(Consultant).where(Consultant.login == "piotr")).one()
    client = app.test_client()
    signed_in = client.post(
        "/desk/login",
        data={"login": "everything", "password": PASSWORD, "csrf_token": form_token(client)},
    )
    assert signed_in.status_code == 302
    reason = {"reason": "checking every form of the desk", "csrf_token": form_token(client)}
    assert client.post(f"/desk/customers/{jan.id}/open", data=reason).status_code == 302

    tried, broken = 0, []
    for page in pages_with_forms(jan.id, piotr.id):
        shown = client.get(page)
        assert shown.status_code == 200, page
        reader = FormReader()
        reader.feed(shown.get_data(as_text=True))
        for form in reader.forms:
            if form["action"].endswith("/logout"):
                continue
            for field in form["fields"]:
                if field == "csrf_token":
                    continue
                for what, value in BAD_VALUES.items():
                    tried += 1
                    try:
                        status = send(client, page, form, field, value)
                    except Exception as exc:  # the test app lets errors through
                        db.session.rollback()
                        status = f"{type(exc).__name__}"  # type: ignore[assignment]
                    if status == 500 or isinstance(status, str):
                        broken.append(f"{form['method']} {page} {field} with {what}: {status}")
    assert tried > 200, "the pages' forms were found"
    assert broken == []
