"""What the centre refuses in production, and what every response tells the browser."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from centre.cli import main
from tests.agent_desk.test_desk import sign_in
from tests.hotline.test_settings import production_env

ROOT = Path(__file__).resolve().parents[2]


def test_demo_data_with_its_published_password_is_never_loaded_in_production():
    result = CliRunner(env=production_env()).invoke(main, ["demo", "load"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


def test_the_centre_refuses_to_start_in_an_unknown_mode():
    result = CliRunner(env={"HOTLINE_ENV": "prod"}).invoke(main, ["demo", "load"])
    assert result.exit_code != 0
    assert "must be development or production" in result.output


def test_every_page_carries_the_security_headers(client, demo):
    for response in (client.get("/desk/login"), client.get("/desk/"), client.get("/ivr/health")):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers, "HSTS belongs to production"


def test_a_record_page_is_never_kept_in_a_cache_but_the_desks_own_files_may_be(client, jan_id):
    sign_in(client)
    assert client.get(f"/desk/customers/{jan_id}").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/desk/static/desk.css").headers.get("Cache-Control", "")


@pytest.fixture
def jan_id(demo) -> int:
    from sqlalchemy import select

    from customers.models import Customer
    from hotline.db import db

    return db.session.scalars(select(Customer.id).where(Customer.phone == "+48601000001")).one()


class TestInProduction:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(env="production")

    def test_hsts_is_sent(self, client):
        assert "max-age=" in client.get("/desk/login").headers["Strict-Transport-Security"]


class TestTheUploadLimit:
    @pytest.fixture
    def settings(self, settings):
        return settings.with_overrides(max_upload_mb=1)

    def test_a_body_over_the_limit_is_refused_before_it_is_read(self, client, demo):
        _, token = sign_in(client)
        big = io.BytesIO(b"x" * (2 * 1024 * 1024))
        response = client.post(
            "/desk/imports",
            data={"csrf_token": token, "file": (big, "offers.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413

    def test_an_anonymous_upload_is_sent_to_sign_in_unread(self, app: Flask, demo):
        response = app.test_client().post(
            "/desk/imports",
            data={"file": (io.BytesIO(b"x" * 1024), "offers.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302 and "/desk/login" in response.headers["Location"]


def test_no_page_has_inline_script_style_or_event_handlers():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.I)
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for folder in ("agent_desk/templates", "emulator/templates")
        for path in (ROOT / folder).rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []
