"""Importing vacancy and training feeds as RQ jobs (run inline in tests)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hotline.db import db
from knowledge import tasks
from knowledge.imports import (
    DATA_DIR,
    ImportRequestError,
    import_status,
    recent_imports,
    start_import,
)
from knowledge.models import ImportRowError, ImportRun, TrainingOffer, Vacancy

pytestmark = pytest.mark.usefixtures("regions")

Feed = Callable[[str, str], Path]
SOON = (date.today() - timedelta(days=3)).isoformat()
LATER = (date.today() + timedelta(days=40)).isoformat()
HEADER = (
    "external_id,title,occupation,occupation_code,employer,city,county,region,"
    "wage_min,wage_max,contract_type,working_time,posted_on,expires_on,description"
)


def csv_rows(*rows: str) -> str:
    """Return a vacancy CSV with the standard header."""
    return "\n".join([HEADER, *rows]) + "\n"


GOOD_1 = f"V1,Spawacz MAG,Spawacz metodą MAG,7212,Stal A (demo),Białystok,Białystok,20,6000,8000,umowa o pracę,pełny etat,{SOON},{LATER},Opis"  # noqa: E501
GOOD_2 = f'V2,Magazynier,Magazynier,,Skład B (demo),bialystok,,podlaskie,"5 000,00",6000,,,{SOON},{LATER},'  # noqa: E501
BROKEN = [
    f"V3,,Kucharz,,Firma C,Łomża,,20,,,,,{SOON},{LATER},",
    f"V4,Kelner,Kelner,,Firma D,Łomża,,99,,,,,{SOON},{LATER},",
    f"V5,Kelner,Kelner,,Firma D,Łomża,,20,7000,6000,,,{SOON},{LATER},",
    f"V6,Kelner,Kelner,,Firma D,Łomża,,20,,,,,2026-02-30,{LATER},",
    f"V7,Kelner,Kelner,,Firma D,Łomża,,20,,,,,{LATER},{SOON},",
    f"V1,Kopia,Spawacz metodą MAG,,Stal A (demo),Białystok,,20,,,,,{SOON},{LATER},",
    f"V8,Kelner,Kelner,,Firma D,Łomża,krakowski,20,,,,,{SOON},{LATER},",
    f"V9,Kelner,Kelner,12,Firma D,Łomża,,20,abc,,,,{SOON},{LATER},",
]


def vacancies() -> list[Vacancy]:
    """Return every stored vacancy by external id."""
    return list(db.session.scalars(select(Vacancy).order_by(Vacancy.external_id)))


def test_csv_import_reports_bad_rows_and_imports_good_ones(feed: Feed) -> None:
    path = feed("oferty.csv", csv_rows(GOOD_1, GOOD_2, *BROKEN))
    run = start_import("csv", path, started_by="consultant 7")
    progress = import_status(run.id)
    assert progress is not None
    assert (progress.status, progress.total_rows, progress.processed_rows) == ("done", 10, 10)
    assert (progress.imported, progress.updated, progress.failed_rows) == (2, 0, 8)
    assert progress.percent == 100 and progress.finished and progress.started_by == "consultant 7"
    reasons = {error.row_number: error.reason for error in progress.errors}
    assert reasons == {
        4: "missing title",
        5: "unknown region '99'",
        6: "wage_min 7000 is more than wage_max 6000",
        7: "bad date in posted_on: '2026-02-30' (use YYYY-MM-DD)",
        8: f"expires on {SOON} before it was posted on {LATER}",
        9: "duplicate external_id 'V1', already in row 2",
        10: "county 'krakowski' is not in region 20",
        11: "occupation_code must be 4 (ISCO) or 6 (KZiS) digits: '12'; "
        "wage_min is not a number: 'abc'",
    }
    assert progress.errors[0].raw_excerpt.startswith("V3,,Kucharz")
    stored = vacancies()
    assert [v.external_id for v in stored] == ["V1", "V2"]
    assert stored[1].city == "Białystok", "a feed's spelling of a known place is corrected"
    assert stored[1].wage_min == 5000 and stored[1].region_code == "20"
    assert stored[0].source == "oferty" and stored[0].import_run_id == run.id
    assert "Spawacz MAG" in stored[0].sms_summary and len(stored[0].sms_summary) <= 300


def test_reimport_updates_by_source_and_external_id_without_duplicates(feed: Feed) -> None:
    first = feed("oferty.csv", csv_rows(GOOD_1, GOOD_2))
    start_import("csv", first, source="pup-bialystok")
    changed = GOOD_1.replace("6000,8000", "6500,8500")
    new = f"V10,Elektryk,Elektryk,7411,Volt (demo),Łomża,Łomża,20,7000,,,,{SOON},{LATER},"
    second = feed("oferty-2.csv", csv_rows(changed, GOOD_2, new))
    run = start_import("csv", second, source="pup-bialystok")
    progress = import_status(run.id)
    assert progress is not None
    assert (progress.imported, progress.updated, progress.unchanged) == (1, 1, 1)
    stored = vacancies()
    assert [v.external_id for v in stored] == ["V1", "V10", "V2"]
    assert (stored[0].wage_min, stored[0].wage_max) == (6500, 8500)
    assert {v.source for v in stored} == {"pup-bialystok"}


def test_the_same_offer_from_another_source_is_another_vacancy(feed: Feed) -> None:
    path = feed("oferty.csv", csv_rows(GOOD_1))
    start_import("csv", path, source="pup-a")
    start_import("csv", path, source="pup-b")
    assert [v.source for v in vacancies()] == ["pup-a", "pup-b"]


def test_running_the_same_job_twice_is_harmless(feed: Feed) -> None:
    run = start_import("csv", feed("oferty.csv", csv_rows(GOOD_1, GOOD_2, BROKEN[0])))
    before = import_status(run.id)
    assert tasks.run_import(run.id) == tasks.counts(run)
    after = import_status(run.id)
    assert after == before
    assert len(vacancies()) == 2
    assert db.session.scalar(select(func.count()).select_from(ImportRowError)) == 1


def test_a_retried_run_starts_over_without_duplicates(
    feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    saved = tasks.save_vacancy
    calls = {"n": 0}

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return saved(*args, **kwargs)

    monkeypatch.setattr(tasks, "save_vacancy", failing_once)
    rows = [GOOD_1, GOOD_2, BROKEN[0]] + [GOOD_2.replace("V2,", f"V2{n},") for n in range(3)]
    run = start_import("csv", feed("oferty.csv", csv_rows(*rows)))
    failed = import_status(run.id)
    assert failed is not None and failed.status == "failed"
    assert failed.error == "unexpected error: database went away"
    assert failed.processed_rows == 2 and len(vacancies()) == 2
    tasks.run_import(run.id)
    done = import_status(run.id)
    assert done is not None and done.status == "done" and done.error is None
    assert (done.imported, done.unchanged, done.failed_rows) == (3, 2, 1)
    assert len(vacancies()) == 5
    assert db.session.scalar(select(func.count()).select_from(ImportRowError)) == 1


def test_progress_is_published_batch_by_batch(
    feed: Feed, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    caplog.set_level(logging.INFO, logger="knowledge.tasks")
    run = start_import("csv", feed("oferty.csv", csv_rows(GOOD_1, GOOD_2, *BROKEN[:3])))
    steps = [r.getMessage() for r in caplog.records if r.getMessage().endswith(" rows")]
    assert steps == [f"import {run.id}: processed {n}/5 rows" for n in (2, 4, 5)]


def test_csv_with_semicolons_and_polish_headers(feed: Feed) -> None:
    text = (
        "nr_oferty;stanowisko;zawód;pracodawca;miejscowość;województwo;"
        "wynagrodzenie_od;data_publikacji;ważna_do\n"
        f"P1;Sprzedawca;Sprzedawca;Sklep (demo);Suwałki;20;4900;{SOON};{LATER}\n"
    )
    run = start_import("csv", feed("pl.csv", "\ufeff" + text))
    assert run.imported == 1 and run.failed_rows == 0
    assert vacancies()[0].wage_min == 4900 and vacancies()[0].wage_max is None


def test_json_vacancies_with_a_declared_source(feed: Feed) -> None:
    good = {"external_id": "J1", "title": "Kucharz", "occupation": "Kucharz",
            "employer": "Bar (demo)", "city": "Białystok", "region": "20",
            "wage_min": 5200, "wage_max": 6000, "posted_on": SOON, "expires_on": LATER}  # fmt: skip
    document = {"source": "cbop-demo", "vacancies": [good, "oops", {**good, "external_id": ""}]}
    run = start_import("json", feed("v.json", json.dumps(document)))
    progress = import_status(run.id)
    assert progress is not None and (progress.imported, progress.failed_rows) == (1, 2)
    assert [(e.row_number, e.reason) for e in progress.errors] == [
        (2, "the record is not an object"),
        (3, "missing external_id"),
    ]
    assert progress.source == "cbop-demo" and vacancies()[0].source == "cbop-demo"


def test_json_trainings_report_bad_rows(feed: Feed) -> None:
    good = {"external_id": "T1", "title": "Spawanie MAG", "provider": "Centrum (demo)",
            "region": "podlaskie", "city": "Łomża", "starts_on": LATER,
            "ends_on": (date.today() + timedelta(days=90)).isoformat(), "hours": 120,
            "cost_pln": 4000, "funded": "tak", "languages": "pl, uk"}  # fmt: skip
    rows = [
        good,
        {**good, "external_id": "T2", "ends_on": SOON},
        {**good, "external_id": "T3", "hours": 0, "funded": "maybe"},
        {
            **good,
            "external_id": "T4",
            "languages": ["polski"],
            "registration_deadline": "2099-01-01",
        },
    ]
    run = start_import("json", feed("t.json", json.dumps(rows)), target="trainings")
    progress = import_status(run.id)
    assert progress is not None and (progress.imported, progress.failed_rows) == (1, 3)
    assert [e.reason for e in progress.errors] == [
        f"ends on {SOON} before it starts on {LATER}",
        "hours must be more than 0; funded must be yes or no, not 'maybe'",
        "registration closes on 2099-01-01, after the course ends; "
        "languages must be two-letter codes: polski",
    ]
    training = db.session.scalars(select(TrainingOffer)).one()
    assert training.funded and training.languages == ["pl", "uk"] and training.region_code == "20"
    assert "bezpłatne" in training.sms_summary


XML_OFFER = """
  <oferta id="{id}">
    <stanowisko>{title}</stanowisko>
    <zawod kod="7212">Spawacz metodą MAG</zawod>
    <pracodawca>Stal (demo)</pracodawca>
    <miejsce wojewodztwo="{region}" powiat="Białystok">Białystok</miejsce>
    <wynagrodzenie od="7000" do="9000" waluta="{currency}" okres="{period}"/>
    <opublikowano>{posted}</opublikowano>
    <wazna_do>{expires}</wazna_do>
  </oferta>"""


def xml_offer(**changes: str) -> str:
    """Return one <oferta>, valid unless changed."""
    values = {"id": "X1", "title": "Spawacz", "region": "20", "currency": "PLN",
              "period": "miesiac", "posted": SOON, "expires": LATER}  # fmt: skip
    return XML_OFFER.format(**{**values, **changes})


def test_xml_feed(feed: Feed) -> None:
    offers = [
        xml_offer(),
        xml_offer(id="X2", currency="EUR"),
        xml_offer(id="X3", period="godzina"),
        xml_offer(id="", title=""),
        xml_offer(id="X5", region="Mazury"),
    ]
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<oferty zrodlo="pup-bia">' + "".join(offers)
    run = start_import("xml", feed("oferty.xml", text + "\n</oferty>"))
    progress = import_status(run.id)
    assert progress is not None and (progress.imported, progress.failed_rows) == (1, 4)
    assert [(e.row_number, e.reason) for e in progress.errors] == [
        (2, "wage currency must be PLN, not 'EUR'"),
        (3, 'only monthly wages are supported (okres="miesiac")'),
        (4, "missing external_id; missing title"),
        (5, "county 'Białystok' is not in region 28"),
    ]
    assert progress.errors[0].raw_excerpt.startswith('<oferta id="X2">')
    assert vacancies()[0].source == "pup-bia"


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("bad.xml", "<oferty><oferta>", "not well-formed XML"),
        ("other.xml", "<jobs/>", "expected <oferty> as the root element, found <jobs>"),
        ("bomb.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><oferty>&a;</oferty>', "declares a DTD"),
        ("bad.json", "{not json", "not valid JSON"),
        ("dict.json", '{"offers": []}', "expected a list of vacancies, or an object with"),
        ("empty.csv", "", "the file is empty"),
        ("noid.csv", "title,city\nA,B\n", "the header row lacks the column(s): external_id"),
    ],
)
def test_an_unreadable_file_fails_the_run_with_a_reason(
    feed: Feed, name: str, text: str, error: str
) -> None:
    run = start_import(name.rsplit(".", 1)[1], feed(name, text))
    progress = import_status(run.id)
    assert progress is not None and progress.status == "failed"
    assert progress.error is not None and error in progress.error
    assert progress.finished and vacancies() == []


def test_a_cp1250_file_as_polish_excel_saves_it_is_converted_and_the_user_told(
    tmp_path: Path,
) -> None:
    path = tmp_path / "latin2.csv"
    path.write_bytes(csv_rows(GOOD_1).replace(",", ";").encode("cp1250"))
    run = start_import("csv", path)
    progress = import_status(run.id)
    assert progress is not None and progress.status == "done" and progress.imported == 1
    assert progress.notice is not None and "Windows-1250" in progress.notice
    assert vacancies()[0].title == "Spawacz MAG" and vacancies()[0].city == "Białystok"


def test_a_file_in_no_encoding_we_read_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"external_id,title\nV1,\x00\x81\xff\x02\n")
    run = start_import("csv", path)
    assert run.status == "failed" and "neither UTF-8 nor Windows-1250" in (run.error or "")


def test_start_import_refuses_bad_requests(feed: Feed, tmp_path: Path) -> None:
    path = feed("v.json", "[]")
    with pytest.raises(ImportRequestError, match="unknown import format"):
        start_import("xls", path)
    with pytest.raises(ImportRequestError, match="vacancies only"):
        start_import("xml", path, target="trainings")
    with pytest.raises(ImportRequestError, match="no such file"):
        start_import("csv", tmp_path / "missing.csv")
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_status_snapshot_is_json_ready_and_listed(feed: Feed) -> None:
    run = start_import("csv", feed("oferty.csv", csv_rows(GOOD_1, BROKEN[1])), started_by="anna")
    snapshot = import_status(run.id)
    assert snapshot is not None
    values = json.loads(json.dumps(snapshot.as_dict()))
    assert values["status"] == "done" and values["percent"] == 100
    assert values["file_name"] == "oferty.csv" and values["started_by"] == "anna"
    assert values["errors"] == [
        {"row_number": 3, "reason": "unknown region '99'", "raw_excerpt": BROKEN[1]}
    ]
    assert [r.id for r in recent_imports()] == [run.id]
    assert run.job_id == f"knowledge-import-{run.id}"
    assert import_status(run.id + 1000) is None


def test_the_shipped_sample_feeds_import_cleanly() -> None:
    samples = DATA_DIR / "samples"
    for kind, name, target in [
        ("xml", "oferty.xml", "vacancies"),
        ("csv", "vacancies.csv", "vacancies"),
        ("json", "trainings.json", "trainings"),
    ]:
        run = start_import(kind, samples / name, target=target)
        assert (run.status, run.failed_rows) == ("done", 0), (name, import_status(run.id))
        assert run.imported == run.total_rows > 0


def test_a_contact_for_applying_is_imported_from_every_format_and_is_optional(
    feed: Feed,
) -> None:
    csv_text = (
        "nr_oferty;stanowisko;zawód;pracodawca;miejscowość;województwo;data_publikacji;"
        "ważna_do;kontakt\n"
        f"C1;Kucharz;Kucharz;Bar (demo);Suwałki;20;{SOON};{LATER};tel. 87 000 00 00\n"
        f"C2;Kelner;Kelner;Bar (demo);Suwałki;20;{SOON};{LATER};\n"
    )
    document = {"vacancies": [{"external_id": "J1", "title": "Kucharz", "occupation": "Kucharz",
                "employer": "Bar (demo)", "city": "Białystok", "region": "20",
                "posted_on": SOON, "expires_on": LATER, "contact": "praca@bar.example"}]}  # fmt: skip
    xml = (
        '<oferty zrodlo="pup-bia"><oferta id="X1"><stanowisko>Spawacz</stanowisko>'
        "<zawod>Spawacz</zawod><pracodawca>Stal (demo)</pracodawca>"
        '<miejsce wojewodztwo="20">Białystok</miejsce><opublikowano>'
        f"{SOON}</opublikowano><wazna_do>{LATER}</wazna_do>"
        "<kontakt>CV: kadry@stal.example</kontakt></oferta></oferty>"
    )
    start_import("csv", feed("c.csv", csv_text))
    start_import("json", feed("c.json", json.dumps(document)))
    start_import("xml", feed("c.xml", xml))
    contacts = {v.external_id: v.contact for v in vacancies()}
    assert contacts == {
        "C1": "tel. 87 000 00 00",
        "C2": None,
        "J1": "praca@bar.example",
        "X1": "CV: kadry@stal.example",
    }
