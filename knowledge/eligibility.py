"""The indicative pre-check of unemployed status and benefit, driven by eligibility_rules.json.

The rules are data: each question is answered yes or no on the keypad, and the first rule
whose conditions all hold gives the outcome. Nothing here is a decision of the office; every
outcome text says so, and so does the disclaimer the IVR reads first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from hotline.speech import DEFAULT_LANGUAGE

RULES_FILE = Path(__file__).parent / "data" / "eligibility_rules.json"


class RuleStatus(StrEnum):
    """How a rule stands against the answers so far."""

    APPLIES = "applies"
    FAILS = "fails"
    OPEN = "open"


@dataclass(frozen=True)
class EligibilityQuestion:
    """A yes/no question, in one language, with the law it comes from."""

    id: str
    text: str
    source: str


@dataclass(frozen=True)
class EligibilityRule:
    """An outcome that holds when every listed answer was given."""

    id: str
    when: Mapping[str, bool]
    outcome: str
    text: str
    source: str

    def status(self, answers: Mapping[str, bool]) -> RuleStatus:
        """Return whether the answers make this rule hold, rule it out, or leave it open."""
        for question, expected in self.when.items():
            if question not in answers:
                return RuleStatus.OPEN
            if answers[question] != expected:
                return RuleStatus.FAILS
        return RuleStatus.APPLIES


@dataclass(frozen=True)
class EligibilityRules:
    """The questions and rules in one language, and the keys that answer yes and no."""

    language: str
    disclaimer: str
    yes_key: str
    no_key: str
    questions: tuple[EligibilityQuestion, ...]
    rules: tuple[EligibilityRule, ...]
    sources: tuple[str, ...]

    def question(self, question_id: str) -> EligibilityQuestion:
        """Return a question by its id."""
        return next(q for q in self.questions if q.id == question_id)

    def answer(self, digit: str) -> bool | None:
        """Return the answer a keypad digit gives, or None for any other key."""
        return {self.yes_key: True, self.no_key: False}.get(digit)

    def decide(self, answers: Mapping[str, bool]) -> EligibilityRule | None:
        """Return the outcome the answers lead to, or None while a question is still needed."""
        for rule in self.rules:
            status = rule.status(answers)
            if status == RuleStatus.APPLIES:
                return rule
            if status == RuleStatus.OPEN:
                return None
        return None

    def next_question(self, answers: Mapping[str, bool]) -> EligibilityQuestion | None:
        """Return the next question to ask, or None once an outcome is decided."""
        for rule in self.rules:
            status = rule.status(answers)
            if status == RuleStatus.APPLIES:
                return None
            if status == RuleStatus.OPEN:
                missing = next(q for q in rule.when if q not in answers)
                return self.question(missing)
        return None


@cache
def rules_document() -> dict[str, Any]:
    """Return the shipped rules file (read once; it changes only with a release)."""
    with open(RULES_FILE, encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


def load_rules(language: str, document: dict[str, Any] | None = None) -> EligibilityRules:
    """Return the rules in a language, falling back to Polish for a missing text."""
    document = document or rules_document()

    def pick(texts: dict[str, str]) -> str:
        return texts.get(language) or texts[DEFAULT_LANGUAGE]

    keys = document["keypad"]
    return EligibilityRules(
        language=language if language in document["disclaimer"] else DEFAULT_LANGUAGE,
        disclaimer=pick(document["disclaimer"]),
        yes_key=keys["yes"],
        no_key=keys["no"],
        questions=tuple(
            EligibilityQuestion(q["id"], pick(q["text"]), q["source"])
            for q in document["questions"]
        ),
        rules=tuple(
            EligibilityRule(r["id"], dict(r["when"]), r["outcome"], pick(r["text"]), r["source"])
            for r in document["rules"]
        ),
        sources=tuple(document["sources"]),
    )
