"""CSV imports of people and customers: uploaded on the desk or given to `hotline admin import`,
run by a real RQ worker, with progress and every bad row's reason."""

from __future__ import annotations

import io

from click.testing import CliRunner
from rq.job import Job
from sqlalchemy import func, select

from centre.cli import main
from centre.demo import pesel
from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from hotline.redis_client import redis_conn
from tests.administration.helpers import signed_in

GOOD = pesel("910101", "1111")
OTHER = pesel("870505", "2222")
CUSTOMERS_CSV = f"""pesel;first_name;last_name;phone;language;advisor;office;registered_on;vulnerable
{GOOD};Zofia;Łukasik;602 333 444;pl;anna;WAW;2026-09-01;nie
{OTHER};Taras;Melnyk;+380501234567;uk;olena;WAW;2026-09-02;tak
12345678901;Adam;Zły;602 333 445;pl;;;;
{pesel("930303", "3333")};Ewa;Nowa;12;de;nobody;XYZ;2099-01-01;może
{GOOD};Zofia;Duplikat;;;;;;
"""
PEOPLE_CSV = """login,name,office,languages,roles,phone
kasia,Katarzyna Lis,WAW,"pl,uk",consultant,
marek,Marek Wrona,KRK,pl,"consultant,supervisor",+48 12 616 00 00
Zły Login,Ktoś,WAW,pl,consultant,
anna,Anna Nowak,WAW,"pl,en","consultant,supervisor,content_editor",
ola,Ola,WAW,pl,wizard,
"""


def upload(client, token, target: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/desk/admin/imports",
        data={"csrf_token": token, "target": target, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def state_of(client, location: str) -> dict:  # type: ignore[type-arg,no-untyped-def]
    return client.get(location.replace("/desk/admin/imports/", "/desk/admin/api/imports/")).json


def test_a_customer_file_from_polish_excel_imports_good_rows_and_names_each_bad_one(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    admin, token = signed_in(app, "mihai")
    response = upload(admin, token, "customers", CUSTOMERS_CSV.encode("cp1250"), "klienci.csv")
    queued = state_of(admin, response.headers["Location"])
    assert queued["status"] == "queued", "the job waits for the worker"
    worker()
    state = state_of(admin, response.headers["Location"])
    assert (state["status"], state["percent"], state["imported"], state["failed_rows"]) == (
        "done",
        100,
        2,
        3,
    )
    reasons = {error["row_number"]: error["reason"] for error in state["errors"]}
    assert reasons[4].startswith("the PESEL is not valid")
    assert set(reasons[5].split("; ")) == {
        "'12' is not a valid phone number", "the language must be one of pl, en, uk, ro",
        "no active consultant has the login 'nobody'", "no office has the code 'XYZ'",
        "vulnerable must be yes or no, not 'może'", "registered on a day still to come",
    }  # fmt: skip
    assert reasons[6] == "the same record is already in row 2"
    assert all("*****" in error["raw_excerpt"] for error in state["errors"]), "PESEL masked"
    assert "Windows-1250" in state["notice"]
    zofia = db.session.scalars(select(Customer).where(Customer.pesel == GOOD)).one()
    assert (zofia.last_name, zofia.phone, zofia.vulnerable) == ("Łukasik", "+48602333444", False)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rows that were not imported" in page and "converted" in page


def test_importing_the_same_people_twice_changes_nothing_the_second_time(
    app, demo, worker, tmp_path
):
    path = tmp_path / "ludzie.csv"
    path.write_text(PEOPLE_CSV, encoding="utf-8")
    environment = {"DATABASE_URL": app.extensions["hotline.settings"].database_url,
                   "REDIS_URL": app.extensions["hotline.settings"].redis_url or ""}  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(
        main, ["admin", "import", "consultants", str(path), "--no-wait"], env=environment
    )
    assert first.exit_code == 0, first.output
    worker()
    second = runner.invoke(
        main, ["admin", "import", "consultants", str(path), "--no-wait"], env=environment
    )
    worker()
    admin, _token = signed_in(app, "mihai")
    runs = [int(line.split()[1]) for line in (first.output, second.output)]
    states = [admin.get(f"/desk/admin/api/imports/{run}").json for run in runs]
    assert [(s["imported"], s["updated"], s["unchanged"], s["failed_rows"]) for s in states] == [
        (2, 0, 1, 2), (0, 0, 3, 2),
    ]  # fmt: skip
    assert "2 new accounts have no password yet" in states[0]["notice"]
    reasons = {e["row_number"]: e["reason"] for e in states[0]["errors"]}
    assert reasons[4].startswith("a login is 2 to 64 small letters")
    assert reasons[6].startswith("roles: unknown wizard")
    marek = db.session.scalars(select(Consultant).where(Consultant.login == "marek")).one()
    assert (marek.roles, marek.phone, marek.must_change_password) == (
        ["consultant", "supervisor"],
        "+48126160000",
        True,
    )
    assert db.session.scalar(select(func.count()).select_from(Consultant)) == 6
    job = Job.fetch(f"admin-import-{runs[0]}", connection=redis_conn.raw)
    assert job.get_status() == "finished"


def test_a_file_that_is_not_a_people_file_fails_with_the_reason(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    admin, token = signed_in(app, "mihai")
    response = upload(admin, token, "consultants", b"name,salary\nAnna,1\n", "ludzie.csv")
    worker()
    state = state_of(admin, response.headers["Location"])
    assert state["status"] == "failed" and state["error"] == "the header row lacks the column login"
    wrong = upload(admin, token, "consultants", b"{}", "ludzie.json")
    assert "an administration import comes as a .csv file" in admin.get(
        wrong.headers["Location"]
    ).get_data(as_text=True)


def test_an_editor_does_not_see_people_imports_among_the_offer_imports(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    admin, token = signed_in(app, "mihai")
    response = upload(admin, token, "consultants", PEOPLE_CSV.encode(), "ludzie.csv")
    run_id = response.headers["Location"].rsplit("/", 1)[1]
    editor, _ = signed_in(app, "anna")
    assert "ludzie.csv" not in editor.get("/desk/imports").get_data(as_text=True)
    assert editor.get(f"/desk/imports/{run_id}").status_code == 404
