"""Offices and FAQ texts from CSV (on the desk or `hotline admin import`) and from `hotline admin
office|faq`: checked by the desk editor's own rules, run by a real RQ worker with progress and
every bad row's reason, an FAQ text landing as a draft that another editor publishes."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from centre.cli import main
from consultants.models import Consultant
from hotline.db import db
from knowledge import service as knowledge
from knowledge.models import FaqEntry, FaqStatus, Office
from tests.administration.helpers import signed_in
from tests.conftest import form_token

OFFICES_CSV = """code;name;address;phone;opening_hours;opening_hours_en;opening_hours_uk;region
WAW;Urząd Pracy m.st. Warszawy;ul. Grochowska 171B;22 578 44 00;pon.-pt. 8:00-16:00;Mon-Fri 8 am-4 pm;пн-пт 8:00-16:00;14
SOP;Powiatowy Urząd Pracy w Sopocie;ul. Kościuszki 25;58 732 52 00;pon.-pt. 7:30-15:30;;;22
pil;Urząd Pracy w Pile;;1;;;;99
W A W;Zła nazwa;ul. Jakaś 1;;pon.-pt. 8-16;;;
SOP;Sopot raz jeszcze;ul. Inna 2;;pon.-pt. 8-16;;;
SZC;PUP Szczecin;Zobacz www.urzad-pracy.com;;pon.-pt. 8-16;;;
"""
FAQ_CSV = """topic,language,title,body,sms_body,source
benefit_documents,pl,Dokumenty do zasiłku,"Weź dowód osobisty i świadectwa pracy.",Dowód i świadectwa pracy. https://psz.praca.gov.pl,"Ustawa o rynku pracy, art. 62"
internships,pl,Staże,Staż trwa do 6 miesięcy. Zapytaj doradcę.,Staż: zapytaj doradcę.,Ustawa o rynku pracy
internships,xx,Stages,Un texte.,,Loi
benefit_documents,en,Documents,Bring your ID.,Apply: https://zasilek-szybko.com/pesel,
BAD TOPIC,pl,Tytuł,Treść.,,Źródło
benefit_documents,pl,Znowu,Drugi raz.,,Źródło
"""


def upload(client, token, address: str, target: str, data: bytes, name: str):  # type: ignore[no-untyped-def]
    return client.post(
        address,
        data={"csrf_token": token, "target": target, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def poll(client, location: str) -> dict:  # type: ignore[type-arg,no-untyped-def]
    return client.get(location.replace("/imports/", "/api/imports/")).json


def reasons_of(state: dict) -> dict[int, set[str]]:  # type: ignore[type-arg]
    return {error["row_number"]: set(error["reason"].split("; ")) for error in state["errors"]}


def test_an_office_file_from_polish_excel_updates_offices_in_place_and_names_each_bad_row(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    offices_before = db.session.scalar(select(func.count()).select_from(Office))
    admin, token = signed_in(app, "mihai")
    data = OFFICES_CSV.replace("пн-пт 8:00-16:00", "").encode("cp1250")
    response = upload(admin, token, "/desk/admin/imports", "offices", data, "urzedy.csv")
    location = response.headers["Location"]
    assert poll(admin, location)["status"] == "queued", "the job waits for the worker"
    worker()
    state = poll(admin, location)
    assert (state["status"], state["percent"]) == ("done", 100)
    assert (state["imported"], state["updated"], state["failed_rows"]) == (1, 1, 4)
    assert "Windows-1250" in state["notice"]
    reasons = reasons_of(state)
    assert reasons[4] == {
        "address is missing", "opening hours is missing", "'1' is not a valid phone number",
        "no region has the code '99'",
    }  # fmt: skip
    assert reasons[5] == {"the code is 2 to 32 capital letters, digits, - or _"}
    assert reasons[6] == {"the same record is already in row 3"}
    assert reasons[7] == {"address links outside the allowed domains (urzad-pracy.com)"}
    warsaw, sopot = knowledge.office("WAW"), knowledge.office("SOP")
    assert warsaw is not None and sopot is not None
    assert (warsaw.phone, warsaw.hours_in("en"), warsaw.hours_in("ro")) == (
        "+48225784400", "Mon-Fri 8 am-4 pm", "pon.-pt. 8:00-16:00",
    )  # fmt: skip
    assert (sopot.name, sopot.region_code) == ("Powiatowy Urząd Pracy w Sopocie", "22")
    assert db.session.scalar(select(func.count()).select_from(Office)) == offices_before + 1
    page = admin.get(location).get_data(as_text=True)
    assert "Rows that were not imported" in page and "no region has the code" in page

    again = upload(admin, token, "/desk/admin/imports", "offices", data, "urzedy.csv")
    worker()
    second = poll(admin, again.headers["Location"])
    assert (second["imported"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert db.session.scalar(select(func.count()).select_from(Office)) == offices_before + 1


def test_a_file_of_hours_alone_changes_the_hours_and_keeps_the_rest(app, demo, worker, tmp_path):
    warsaw = knowledge.office("WAW")
    assert warsaw is not None
    before = (warsaw.name, warsaw.address, warsaw.opening_hours)
    path = tmp_path / "godziny.csv"
    path.write_text("code,opening_hours_ro\nwaw,Luni-Vineri 8-16\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["admin", "import", "offices", str(path), "--no-wait"],
                                env=environment(app))  # fmt: skip
    assert result.exit_code == 0, result.output
    worker()
    db.session.expire_all()
    warsaw = knowledge.office("WAW")
    assert warsaw is not None
    assert (warsaw.name, warsaw.address, warsaw.opening_hours) == before
    assert warsaw.hours_in("ro") == "Luni-Vineri 8-16"


def test_the_polish_desk_gives_an_office_rows_reasons_in_polish(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    admin = app.test_client()
    admin.post("/desk/login", data={"login": "mihai", "password": "demo1234",
                                    "csrf_token": form_token(admin)})  # fmt: skip
    token = form_token(admin, "/desk/account")
    data = (
        b"code,name,address,opening_hours,opening_hours_en,region\n"
        b"PIL,PUP,,pon.-pt.,,99\n"
        b"SZC,PUP,Zobacz www.urzad-pracy.com,pon.-pt.,Mon\x01-Fri,\n"
    )
    response = upload(admin, token, "/desk/admin/imports", "offices", data, "urzedy.csv")
    worker()
    state = poll(admin, response.headers["Location"])
    reasons = reasons_of(state)
    assert reasons[2] == {"brak adresu", "żadne województwo nie ma kodu „99”"}
    assert reasons[3] == {
        "pole „adres” zawiera linki spoza dozwolonych domen (urzad-pracy.com)",
        "pole „godziny otwarcia (angielski)” zawiera znaki sterujące",
    }


def test_faq_texts_from_a_file_wait_as_drafts_until_another_editor_publishes_them(
    app, demo, worker, tmp_path, monkeypatch
):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    heard_before = knowledge.spoken_answer("benefit_documents", "pl")
    anna, token = signed_in(app, "anna")
    response = upload(anna, token, "/desk/faq/imports", "faq", FAQ_CSV.encode(), "faq.csv")
    location = response.headers["Location"]
    assert location.startswith("/desk/faq/imports/")
    worker()
    state = poll(anna, location)
    assert (state["status"], state["imported"], state["updated"], state["failed_rows"]) == (
        "done", 1, 1, 4,
    )  # fmt: skip
    reasons = reasons_of(state)
    assert reasons[4] == {"the language must be one of pl, en, uk, ro"}
    assert reasons[5] == {
        "source is missing",
        "text message links outside the allowed domains (zasilek-szybko.com)",
    }
    assert reasons[6] == {"a topic is a short name of small letters, digits and _"}
    assert reasons[7] == {"the same record is already in row 2"}
    assert "2 texts wait as drafts" in state["notice"]
    assert "internships: no text in English" in state["notice"], "the completeness check"
    knowledge.forget_cached()
    assert knowledge.spoken_answer("benefit_documents", "pl") == heard_before, "not published"
    new = db.session.scalars(select(FaqEntry).where(FaqEntry.topic == "internships")).one()
    assert (new.status, new.draft["source"], new.draft["edited_by"]) == (
        FaqStatus.DRAFT, "Ustawa o rynku pracy", "Anna Nowak",
    )  # fmt: skip
    page = anna.get("/desk/faq").get_data(as_text=True)
    assert "internships: the English text" not in page and "internships: no text in English" in page

    again = upload(anna, token, "/desk/faq/imports", "faq", FAQ_CSV.encode(), "faq.csv")
    worker()
    second = poll(anna, again.headers["Location"])
    assert (second["imported"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert (
        db.session.scalar(
            select(func.count()).select_from(FaqEntry).where(FaqEntry.topic == "internships")
        )
        == 1
    )

    with db.transaction() as session:
        piotr = session.scalars(select(Consultant).where(Consultant.login == "piotr")).one()
        piotr.roles = ["consultant", "content_editor"]
    piotr_client, piotr_token = signed_in(app, "piotr")
    piotr_client.post("/desk/faq/benefit_documents/pl/publish", data={"csrf_token": piotr_token})
    heard = knowledge.spoken_answer("benefit_documents", "pl")
    assert heard is not None and heard.body == "Weź dowód osobisty i świadectwa pracy."


def test_each_import_belongs_to_its_own_role(app, demo, worker, tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_INSTANCE_DIR", str(tmp_path))
    anna, anna_token = signed_in(app, "anna")
    mihai, mihai_token = signed_in(app, "mihai")
    data = FAQ_CSV.encode()
    refused = upload(mihai, mihai_token, "/desk/faq/imports", "faq", data, "faq.csv")
    assert refused.status_code == 403, "an administrator is no content editor"
    smuggled = upload(mihai, mihai_token, "/desk/admin/imports", "faq", data, "faq.csv")
    assert "unknown import target 'faq'" in unescape(
        mihai.get(smuggled.headers["Location"]).get_data(as_text=True)
    )
    offices = upload(
        anna, anna_token, "/desk/faq/imports", "offices", OFFICES_CSV.encode(), "o.csv"
    )
    assert "unknown import target 'offices'" in unescape(
        anna.get(offices.headers["Location"]).get_data(as_text=True)
    )
    assert anna.post("/desk/admin/imports", data={"csrf_token": anna_token}).status_code == 403
    faq_run = upload(anna, anna_token, "/desk/faq/imports", "faq", data, "faq.csv")
    run_id = faq_run.headers["Location"].rsplit("/", 1)[1]
    assert mihai.get(f"/desk/admin/imports/{run_id}").status_code == 404
    assert anna.get(f"/desk/imports/{run_id}").status_code == 404, "not among the offers"


def environment(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    settings = app.extensions["hotline.settings"]
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url or ""}


@pytest.fixture
def cli(app, phone_network):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {**environment(app), "TWILIO_API_URL": phone_network.url}
    return lambda *args: runner.invoke(main, ["admin", *args], env=env)


def test_offices_on_the_command_line_are_checked_as_on_the_desk(app, demo, cli):
    created = cli("office", "set", "sop", "--name", "PUP Sopot", "--address", "ul. Kościuszki 25",
                  "--hours", "pon.-pt. 7:30-15:30", "--hours-in", "en", "Mon-Fri 7:30-3:30",
                  "--phone", "58 732 52 00")  # fmt: skip
    assert created.exit_code == 0 and "office SOP created" in created.output, created.output
    sopot = knowledge.office("SOP")
    assert sopot is not None and (sopot.phone, sopot.hours_in("en")) == (
        "+48587325200", "Mon-Fri 7:30-3:30",
    )  # fmt: skip
    assert "office SOP unchanged" in cli("office", "set", "SOP", "--name", "PUP Sopot").output
    bad = cli("office", "set", "SOP", "--address", "", "--hours-in", "de", "Mo-Fr")
    assert bad.exit_code == 1 and "opening hours in an unknown language: de" in bad.output
    empty = cli("office", "set", "SOP", "--address", "")
    assert empty.exit_code == 1 and "address is missing" in empty.output
    listed = cli("office", "list")
    assert "SOP\tPUP Sopot\tul. Kościuszki 25\t+48587325200" in listed.output
    assert "\ten: Mon-Fri 7:30-3:30" in listed.output


def test_an_faq_text_drafted_on_the_command_line_is_published_by_a_named_editor(
    app, demo, cli, tmp_path
):
    drafted = cli("faq", "draft", "internships", "pl", "--title", "Staże",
                  "--body", "Staż trwa do 6 miesięcy.", "--sms-body", "Staż: zapytaj doradcę.",
                  "--source", "Ustawa o rynku pracy")  # fmt: skip
    assert drafted.exit_code == 0 and "draft saved" in drafted.output, drafted.output
    check = cli("faq", "check")
    assert check.exit_code == 1 and "internships: the Polish text is not published yet" in (
        check.output
    )
    not_editor = cli("faq", "publish", "internships", "pl", "--reviewer", "piotr")
    assert not_editor.exit_code == 1 and "'piotr' is not an active content editor" in (
        not_editor.output
    )
    published = cli("faq", "publish", "internships", "pl", "--reviewer", "anna")
    assert published.exit_code == 0 and "reviewed by Anna Nowak" in published.output
    entry = db.session.scalars(select(FaqEntry).where(FaqEntry.topic == "internships")).one()
    db.session.refresh(entry)
    assert (entry.status, entry.reviewed_by, entry.source) == (
        FaqStatus.PUBLISHED, "Anna Nowak", "Ustawa o rynku pracy",
    )  # fmt: skip
    listed = cli("faq", "list").output
    assert re.search(r"internships\tpl\tpublished\t\S+ by Anna Nowak", listed)
    path = tmp_path / "faq.csv"
    path.write_text(FAQ_CSV, encoding="utf-8")
    imported = cli("import", "faq", str(path))
    assert imported.exit_code == 0, imported.output
    assert "2 texts wait as drafts" in imported.output
    assert "row 4: the language must be one of pl, en, uk, ro" in imported.output
