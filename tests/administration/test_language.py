"""The administration speaks Polish by default, as the desk does: its pages, its reasons, its
import reports and the names of codes; the command line stays English."""

from __future__ import annotations

import io
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select

from centre.demo import pesel
from hotline.db import db
from knowledge.models import FaqEntry
from tests.conftest import form_token


def signed_in_polish(app, login: str) -> tuple[FlaskClient, str]:  # type: ignore[no-untyped-def]
    """Return a client signed in as login, who has not chosen a language, and its token."""
    client = app.test_client()
    client.post(
        "/desk/login",
        data={"login": login, "password": "demo1234", "csrf_token": form_token(client)},
    )
    return client, form_token(client, "/desk/account")


def test_the_administration_pages_are_polish_by_default(app, demo):
    admin, _token = signed_in_polish(app, "mihai")

    home = admin.get("/desk/admin/").get_data(as_text=True)
    assert '<html lang="pl">' in home and "Nowy pracownik" in home and "Nowy klient" in home
    assert "Administrator" in home and "Redaktor treści" in home, "roles as words"
    assert "content_editor" not in home
    form = admin.get("/desk/admin/customers/new").get_data(as_text=True)
    assert "Data rejestracji" in form and "Doradca klienta" in form
    assert '<option value="deregistered" >Wyrejestrowany</option>' in form
    assert '<option value="uk" >ukraiński</option>' in form
    person = admin.get("/desk/admin/people/new").get_data(as_text=True)
    assert "Utwórz z hasłem jednorazowym" in person and "Języki" in person
    imports = admin.get("/desk/admin/imports").get_data(as_text=True)
    assert "Import pracowników, klientów lub urzędów" in imports
    offices = admin.get("/desk/admin/offices").get_data(as_text=True)
    assert "Nazwa urzędu" in offices and "Godziny otwarcia" in offices


def test_a_refused_form_gives_its_reasons_in_polish(app, demo):
    admin, token = signed_in_polish(app, "mihai")
    bad = {
        "csrf_token": token, "first_name": "Ewa", "last_name": "", "pesel": "12345678901",
        "registration_status": "deregistered", "registered_on": "2099-01-01",
    }  # fmt: skip

    refused = admin.post("/desk/admin/customers/new", data=bad)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    for reason in (
        "numer PESEL jest nieprawidłowy: cyfra kontrolna się nie zgadza",
        "brak pola „nazwisko”",
        "wyrejestrowany klient musi mieć datę wyrejestrowania",
        "data rejestracji jest w przyszłości",
    ):
        assert reason in page
    saved = admin.post(
        "/desk/admin/customers/new",
        data={**bad, "last_name": "Nowak", "pesel": pesel("910101", "1111"),
              "registration_status": "registered", "registered_on": "2026-11-02"},
    )  # fmt: skip
    assert "Zarejestrowano klienta: Ewa Nowak." in admin.get(saved.headers["Location"]).get_data(
        as_text=True
    )


def test_an_import_started_by_a_polish_reader_reports_in_polish(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    admin, token = signed_in_polish(app, "mihai")
    rows = "login;name;office;active\nkasia;Katarzyna Lis;WAW;tak\nola;Ola;XYZ;może\n"

    started = admin.post(
        "/desk/admin/imports",
        data={"csrf_token": token, "target": "consultants",
              "file": (io.BytesIO(rows.encode("cp1250")), "ludzie.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    worker()

    page = admin.get(started.headers["Location"]).get_data(as_text=True)
    assert "żaden urząd nie ma kodu „XYZ”" in page
    assert "pole „aktywne” przyjmuje „tak” albo „nie”, a nie „może”" in page
    assert "1 nowe konto nie ma jeszcze hasła" in page
    assert "Plik był w kodowaniu" in page


def test_the_faq_list_names_topics_and_languages_and_dates_the_polish_way(app, demo):
    editor, _token = signed_in_polish(app, "anna")
    entry = db.session.scalars(
        select(FaqEntry).where(FaqEntry.topic == "benefit_documents", FaqEntry.language == "uk")
    ).one()
    entry.last_reviewed = date(2026, 11, 23)
    db.session.commit()

    page = editor.get("/desk/faq").get_data(as_text=True)

    assert "Dokumenty do zasiłku dla bezrobotnych" in page and "ukraiński" in page
    assert "23 lis 2026" in page and "Opublikowany" in page


def test_the_faq_editor_says_what_callers_would_miss_in_polish(app, demo):
    editor, token = signed_in_polish(app, "anna")
    form = {"csrf_token": token, "title": "Bony", "body": "", "sms_body": "", "source": ""}

    refused = editor.post("/desk/faq/vouchers/pl", data=form)
    editor.post(
        "/desk/faq/vouchers/pl", data={**form, "body": "Bon szkoleniowy.", "source": "ustawa"}
    )

    assert "brak treści" in refused.get_data(as_text=True)
    assert "brak źródła" in refused.get_data(as_text=True)
    page = editor.get("/desk/faq").get_data(as_text=True)
    assert "vouchers: tekst (polski) nie jest jeszcze opublikowany" in page
    assert "vouchers: brak tekstu (ukraiński)" in page
    own = editor.post("/desk/faq/vouchers/pl/publish", data={"csrf_token": token})
    assert "Twój szkic musi sprawdzić i opublikować inny redaktor" in editor.get(
        own.headers["Location"]
    ).get_data(as_text=True)
