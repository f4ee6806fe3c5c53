"""The vendored subset of Twilio's description stays faithful to the full one."""

from __future__ import annotations

import json

import pytest

from emulator import rest
from emulator.spec import (
    FULL_SPEC_PATH,
    SUBSET_PATH,
    ApiSpec,
    extract_subset,
    load_spec,
    locate_spec,
)


@pytest.mark.skipif(not FULL_SPEC_PATH.is_file(), reason="the full Twilio description is absent")
def test_the_vendored_subset_equals_a_fresh_extraction():
    full = json.loads(FULL_SPEC_PATH.read_text(encoding="utf-8"))
    vendored = json.loads(SUBSET_PATH.read_text(encoding="utf-8"))

    assert vendored == extract_subset(full)
    assert "twilio-oai" in vendored["x-emulator-note"]
    assert "MIT" in vendored["x-emulator-note"]


def test_the_subset_describes_every_operation_the_emulator_implements():
    subset = ApiSpec(json.loads(SUBSET_PATH.read_text(encoding="utf-8")))
    described = {
        operation.operation_id
        for by_method in subset.operations.values()
        for operation in by_method.values()
    }

    assert set(rest.HANDLERS) <= described


def test_a_configured_description_wins(tmp_path, monkeypatch):
    chosen = tmp_path / "spec.json"
    monkeypatch.delenv("TWILIO_SPEC_PATH", raising=False)

    assert locate_spec(str(chosen)) == chosen
    monkeypatch.setenv("TWILIO_SPEC_PATH", str(chosen))
    assert locate_spec() == chosen
    monkeypatch.delenv("TWILIO_SPEC_PATH")
    assert locate_spec() in (FULL_SPEC_PATH, SUBSET_PATH)


def test_conformance_problems_catch_wrong_shapes():
    spec = load_spec(str(SUBSET_PATH))
    operation, _ = spec.match(
        "GET", "/2010-04-01/Accounts/AC" + "1" * 32 + "/Queues/QU" + "2" * 32 + ".json"
    )
    schema = operation.response_schema
    good = spec.shape(schema, {"sid": "QU" + "2" * 32, "current_size": 0, "max_size": 100})

    assert spec.conformance_problems(schema, good) == []
    assert spec.conformance_problems(schema, good | {"extra": 1})
    assert spec.conformance_problems(schema, good | {"current_size": "3"})
