"""Finding customers: wildcards taken literally, diacritics ignored, short terms refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from customers.models import Customer
from customers.names import fold
from customers.service import SEARCH_LIMIT, SEARCH_TOO_SHORT, search_customers
from hotline.db import db


def names(text: str) -> list[str]:
    return [customer.full_name for customer in search_customers(text).customers]


@pytest.mark.parametrize(
    ("spelt", "folded"),
    [("Wiśniewski", "wisniewski"), ("ZIELIŃSKA", "zielinska"), ("Łukasz  Żółć", "lukasz zolc"),
     ("Ștefan Țurcanu", "stefan turcanu"), ("Оксана", "оксана")],
)  # fmt: skip
def test_names_are_folded_to_lower_case_without_diacritics(spelt, folded):
    assert fold(spelt) == folded


def test_a_name_is_found_without_its_diacritics_in_any_case(demo):
    for term in ("wisniewski", "WIŚNIEWSKI", "wiśn", "Zielinska"):
        assert len(names(term)) == 1, term


def test_first_and_last_name_together_find_the_customer_in_either_order(demo):
    assert names("Jan Wiśniewski") == ["Jan Wiśniewski"]
    assert names("wisniewski jan") == ["Jan Wiśniewski"]
    assert names("Maria Wiśniewski") == []


def test_wildcards_are_taken_literally(demo):
    for term in ("%%%", "___", "%a%", "a_a", "\\%\\"):
        assert names(term) == [], term


def test_a_name_needs_three_letters(demo):
    assert search_customers("Wi").refused == SEARCH_TOO_SHORT
    assert search_customers("  ").customers == [] and not search_customers("  ").refused
    assert len(names("Jan")) >= 1


def test_pesel_and_phone_are_found_exactly(demo):
    jan = db.session.scalars(select(Customer).where(Customer.first_name == "Jan")).one()
    assert search_customers(jan.pesel).searched == "pesel"
    assert names(jan.pesel) == ["Jan Wiśniewski"]
    assert names(jan.pesel[:6]) == []
    assert names("601 000 001") == ["Jan Wiśniewski"]


def test_a_search_shows_at_most_the_limit_and_says_there_are_more(demo):
    with db.transaction() as session:
        for number in range(SEARCH_LIMIT + 5):
            session.add(Customer(first_name=f"Anna{number}", last_name="Kowalczyk"))
    result = search_customers("kowalczyk")
    assert len(result.customers) == SEARCH_LIMIT and result.more
    assert not search_customers("Wiśniewski").more


def test_a_renamed_customer_is_found_by_the_new_name(demo):
    with db.transaction() as session:
        jan = session.scalars(select(Customer).where(Customer.first_name == "Jan")).one()
        jan.last_name = "Żółkiewski"
    assert names("zolkiewski") == ["Jan Żółkiewski"] and names("wisniewski") == []


def test_an_overlong_term_is_refused(demo):
    assert search_customers("x" * 101).refused
