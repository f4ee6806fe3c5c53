"""Fixtures of the knowledge tests: the shipped content, and feeds written on the fly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from hotline.db import db
from knowledge.imports import load_demo_content, load_regions


@pytest.fixture
def content(app: Flask) -> dict[str, int]:
    """Load regions, offices, FAQ and the demo vacancies and trainings, dated for today."""
    with db.transaction() as session:
        return load_demo_content(session, date.today())


@pytest.fixture
def regions(app: Flask) -> dict[str, int]:
    """Load only the regions, counties and places, which every import checks rows against."""
    with db.transaction() as session:
        return load_regions(session)


@pytest.fixture
def feed(tmp_path: Path) -> Callable[[str, str], Path]:
    """Return a function that writes a feed file and returns its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
