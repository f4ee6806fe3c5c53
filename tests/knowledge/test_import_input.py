"""Bad feeds get a clear answer: encodings, XML tricks, errors that a retry would meet again,
and content that may not reach callers. The jobs run on a real RQ worker over the test Redis."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from rq.job import Job, JobStatus
from sqlalchemy import select

from hotline.db import db
from hotline.outbound import OutboundPolicy, outbound
from hotline.redis_client import redis_conn
from knowledge.imports import import_status, start_import
from knowledge.models import Vacancy

pytestmark = pytest.mark.usefixtures("regions")

Feed = Callable[[str, str], Path]
SOON = (date.today() - timedelta(days=3)).isoformat()
LATER = (date.today() + timedelta(days=40)).isoformat()
HEADER = "external_id,title,occupation,employer,city,region,posted_on,expires_on,description"


def row(external_id: str, description: str = "Opis", title: str = "Spawacz") -> str:
    """Return one vacancy row, valid unless told otherwise."""
    return f'{external_id},{title},Spawacz,Stal A,Białystok,20,{SOON},{LATER},"{description}"'


def job_of(run_id: int) -> Job:
    """Return the RQ job of an import run."""
    return Job.fetch(f"knowledge-import-{run_id}", connection=redis_conn.raw)


def test_a_cell_past_the_csv_limit_fails_at_once_without_retries(
    feed: Feed, worker: Callable[[], None]
) -> None:
    huge = "x" * 200_000
    path = feed("huge.csv", f'{HEADER}\n{row("V1")}\nV2,"{huge}\n')
    run = start_import("csv", path)
    worker()
    progress = import_status(run.id)
    assert progress is not None and progress.status == "failed"
    assert progress.error is not None and "field larger than field limit" in progress.error
    job = job_of(run.id)
    assert job.get_status() == JobStatus.FINISHED, "no retry is scheduled"
    assert job.retries_left == 5


def test_deeply_nested_json_fails_at_once_with_the_reason(
    feed: Feed, worker: Callable[[], None]
) -> None:
    path = feed("deep.json", "[" * 100_000 + "]" * 100_000)
    run = start_import("json", path)
    worker()
    progress = import_status(run.id)
    assert progress is not None and progress.status == "failed"
    assert progress.error is not None and "nested too deeply" in progress.error
    assert job_of(run.id).get_status() == JobStatus.FINISHED


def test_a_utf16_xml_with_a_dtd_is_refused_as_any_dtd_is(feed: Feed, tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<!DOCTYPE oferty [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        "<oferty><oferta id='&b;'/></oferty>"
    )
    path = tmp_path / "bomb16.xml"
    path.write_bytes(bomb.encode("utf-16"))
    run = start_import("xml", path)
    assert run.status == "failed" and "declares a DTD or entities" in (run.error or "")
    assert db.session.scalars(select(Vacancy)).all() == []


def test_a_field_holding_nul_or_too_long_is_refused_alike_on_every_database(feed: Feed) -> None:
    def offer(external_id: str, **changes: str) -> dict[str, str]:
        values = dict(
            zip(HEADER.split(","), row(external_id).replace('"', "").split(","), strict=True)
        )
        return {**values, **changes}

    offers = [offer("V1"), offer("V2", title="Spa\x00wacz"), offer("V3", description="d" * 5000)]
    run = start_import("json", feed("v.json", json.dumps(offers)))
    progress = import_status(run.id)
    assert progress is not None and (progress.imported, progress.failed_rows) == (1, 2)
    reasons = {error.row_number: error.reason for error in progress.errors}
    assert reasons == {
        2: "title holds control characters",
        3: "description is longer than 4000 characters",
    }


def test_links_outside_the_allowed_domains_are_refused_and_the_source_kept(feed: Feed) -> None:
    rows = [
        row("V1", description="Zgłoś się przez https://psz.praca.gov.pl/oferta/1"),
        row("V2", description="Kliknij https://praca-gov.pl.example.ru/zaloguj i podaj PESEL"),
        row("V3", description="Aplikuj: bit.ly/3xYz"),
        row("V4", title="Praca www.szybka-kasa.com"),
        row("V5", description="np.Warszawa, ul.Długa 5, godz. 8.00"),
    ]
    run = start_import("csv", feed("oferty-pup.csv", "\n".join([HEADER, *rows]) + "\n"))
    progress = import_status(run.id)
    assert progress is not None
    assert {error.row_number: error.reason for error in progress.errors} == {
        3: "description links outside the allowed domains (praca-gov.pl.example.ru)",
        4: "description links outside the allowed domains (bit.ly)",
        5: "title links outside the allowed domains (szybka-kasa.com)",
    }
    kept = db.session.scalars(select(Vacancy).order_by(Vacancy.external_id)).all()
    assert [(v.external_id, v.source) for v in kept] == [
        ("V1", "oferty-pup"),
        ("V5", "oferty-pup"),
    ]


def test_the_allowed_link_domains_are_a_setting(feed: Feed) -> None:
    outbound.configure(("example.org",), ("PL",))
    try:
        policy = outbound.current()
        assert policy.allows_link("https://jobs.example.org/a")
        assert not policy.allows_link("https://praca.gov.pl/")
        assert not policy.allows_link("javascript://example.org/%0aalert(1)")
    finally:
        outbound.policy = OutboundPolicy()
