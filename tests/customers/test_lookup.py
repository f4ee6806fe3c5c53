from __future__ import annotations

import pytest

from customers.service import caller_by_pesel, caller_by_phone


@pytest.mark.parametrize(
    "written", ["+48601000003", "601 000 003", "0048 601-000-003", " +48601000003 "]
)
def test_a_caller_is_found_however_their_number_is_written(app, demo, written):
    with app.app_context():
        card = caller_by_phone(written, "PL")
    assert card is not None
    assert (card.first_name, card.preferred_language) == ("Oksana", "uk")
    assert card.advisor_id is not None and card.office_code


@pytest.mark.parametrize("written", ["+48601999999", "", None, "not a number", "+4860100000300"])
def test_an_unknown_or_impossible_number_finds_nobody(app, demo, written):
    with app.app_context():
        assert caller_by_phone(written, "PL") is None


def test_a_caller_is_found_by_pesel(app, demo):
    with app.app_context():
        card = caller_by_pesel("79092313574")
    assert card is not None and card.first_name == "Ion"
