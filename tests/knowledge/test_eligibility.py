"""The indicative eligibility pre-check: the rules file and walking through it."""

from __future__ import annotations

import pytest

from hotline.speech import LANGUAGES
from knowledge.eligibility import load_rules, rules_document
from knowledge.service import eligibility_rules

ELIGIBLE = {
    "age_ok": True, "no_work": True, "ready_to_work": True, "no_pension": True,
    "not_day_student": True, "worked_365_days": True, "quit_by_notice": False,
}  # fmt: skip


def test_the_rules_file_is_complete_and_consistent() -> None:
    document = rules_document()
    question_ids = [q["id"] for q in document["questions"]]
    assert len(set(question_ids)) == len(question_ids)
    assert set(document["disclaimer"]) == set(LANGUAGES)
    for item in document["questions"] + document["rules"]:
        assert set(item["text"]) == set(LANGUAGES), item["id"]
        assert item["source"], item["id"]
    for rule in document["rules"]:
        assert set(rule["when"]) <= set(question_ids), rule["id"]
        for language, text in rule["text"].items():
            assert "wstępna" in text.lower() or language != "pl"
    assert all("Dz.U. 2025 poz. 620" in q["source"] or "gov.pl" in q["source"]
               for q in document["questions"])  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_question_is_asked_on_the_way_to_a_benefit(language: str) -> None:
    rules = eligibility_rules(language)
    assert rules.language == language and rules.disclaimer
    answers: dict[str, bool] = {}
    asked = []
    while (question := rules.next_question(answers)) is not None:
        asked.append(question.id)
        answers[question.id] = {**ELIGIBLE, "longer_period": False}[question.id]
    assert asked == [q.id for q in rules.questions]
    outcome = rules.decide(answers)
    assert outcome is not None and outcome.outcome == "likely_benefit_180_days"


def test_the_first_failing_condition_decides_early() -> None:
    rules = eligibility_rules("en")
    answers = {"age_ok": True, "no_work": False}
    assert rules.next_question(answers) is None
    outcome = rules.decide(answers)
    assert outcome is not None and outcome.outcome == "not_unemployed"
    assert outcome.text.startswith("Indicative result")


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"worked_365_days": False}, "unemployed_without_benefit"),
        ({"quit_by_notice": True}, "unemployed_without_benefit"),
        ({"longer_period": True}, "likely_benefit_365_days"),
        ({"not_day_student": False}, "not_unemployed"),
    ],
)
def test_outcomes(changes: dict[str, bool], outcome: str) -> None:
    rules = eligibility_rules("pl")
    answers = {**ELIGIBLE, "longer_period": False, **changes}
    decided = rules.decide(answers)
    assert decided is not None and decided.outcome == outcome


def test_keypad_answers_and_language_fallback() -> None:
    rules = load_rules("de")
    assert rules.language == "pl"
    assert (rules.answer("1"), rules.answer("2"), rules.answer("9")) == (True, False, None)
    assert rules.decide({}) is None
