"""What callers hear, placed as calls through the phone network emulator, in every language.

Each test dials the hotline as a caller would and reads back what the emulator heard said.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from hotline import speech
from hotline.db import db
from ivr.answers import parts_of
from ivr.applying import spoken_reference
from knowledge import service as knowledge
from knowledge.eligibility import load_rules as knowledge_rules
from knowledge.models import Vacancy
from tests.ivr.conftest import ANONYMOUS, CALLERS, SKIP_GREETING, Line

LANGUAGES = list(CALLERS)
# The key an anonymous caller presses during the greeting to hear a language.
LANGUAGE_KEYS = {"pl": "1", "en": "2", "uk": "3", "ro": "4"}
BAD_PESELS = ["85031212340#", "12345#", "85031212341#"]


def prompt(language: str, key: str, **values: object) -> str:
    return speech.prompt(language, key, **values)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_third_bad_pesel_is_called_invalid_and_a_consultant_is_offered(
    line: Line, language: str
):
    script = [{"press": LANGUAGE_KEYS[language]}, *({"press": p} for p in BAD_PESELS)]
    call = line.call(ANONYMOUS, [*script, {"silence": True}])
    after_third = call.turns()[4]
    assert prompt(language, "identify_invalid_final") in after_third
    assert prompt(language, "identify_help") in after_third
    assert prompt(language, "main_menu") not in after_third
    assert "enqueue" in call.kinds(), "silence after the offer puts the caller through"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_miss_in_each_of_three_menus_is_not_three_failures(closed_line: Line, language: str):
    script = [SKIP_GREETING, {"press": "7"}, {"press": "1"}, {"press": "7"}, {"press": "0"}]
    call = closed_line.call(CALLERS[language], [*script, {"press": "7"}])
    third_miss = call.turns()[-1]
    assert prompt(language, "not_understood") in third_miss
    assert prompt(language, "closed_options") in third_miss
    assert prompt(language, "offer_consultant") not in third_miss


@pytest.mark.parametrize("language", LANGUAGES)
def test_three_misses_in_one_menu_offer_a_consultant_in_words_that_read_well(
    line: Line, language: str
):
    call = line.call(CALLERS[language], [SKIP_GREETING, *[{"press": "7"}] * 3])
    offer = call.turns()[-1]
    assert prompt(language, "offer_consultant") in offer
    if language == "en":
        assert "Sorry, we are having trouble" in offer


WARSAW = ZoneInfo("Europe/Warsaw")
# Independent of the catalogue: how each language names the day after tomorrow.
ON_WEEKDAY = {
    "pl": ["w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę",
           "w niedzielę"],
    "en": ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
           "on Sunday"],
    "uk": ["у понеділок", "у вівторок", "у середу", "у четвер", "у п'ятницю", "у суботу",
           "у неділю"],
    "ro": ["luni", "marți", "miercuri", "joi", "vineri", "sâmbătă", "duminică"],
}  # fmt: skip
TOMORROW_AT_EIGHT = {
    "pl": "jutro od 8:00",
    "en": "tomorrow from 8:00",
    "uk": "завтра з 8:00",
    "ro": "mâine de la ora 8:00",
}
AT_EIGHT = {"pl": "od 8:00", "en": "from 8:00", "uk": "з 8:00", "ro": "de la ora 8:00"}


def closed_days(count: int) -> str:
    today = datetime.now(WARSAW).date()
    return ",".join(str(today + timedelta(days=offset)) for offset in range(count))


@pytest.mark.parametrize("language", LANGUAGES)
def test_out_of_hours_the_caller_hears_when_consultants_are_back(make_line, language: str):
    # Consultants work every day from 8 but not today: they are back tomorrow at 8.
    line = make_line(consultant_hours="mon-sun 08:00-18:00", closed_days=closed_days(1))
    call = line.call(CALLERS[language], [SKIP_GREETING, {"press": "0"}, {"press": "9"}])
    assert TOMORROW_AT_EIGHT[language] in call.turns()[2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_a_closed_tomorrow_the_caller_hears_the_day_they_are_back(make_line, language: str):
    line = make_line(consultant_hours="mon-sun 08:00-18:00", closed_days=closed_days(2))
    back = (datetime.now(WARSAW).date() + timedelta(days=2)).weekday()
    call = line.call(CALLERS[language], [SKIP_GREETING, {"press": "0"}, {"press": "9"}])
    assert f"{ON_WEEKDAY[language][back]} {AT_EIGHT[language]}" in call.turns()[2]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_silent_caller_out_of_hours_is_offered_voicemail_then_goodbye(
    closed_line: Line, language: str
):
    call = closed_line.call(CALLERS[language], [SKIP_GREETING, *[{"silence": True}] * 15])
    hangups = [event["text"] for event in call.events if event["kind"] == "hangup"]
    assert hangups and "script has ended" not in hangups[-1], "the centre ended the call"
    heard = call.heard()
    assert heard.count(prompt(language, "closed_options")) == 2
    assert prompt(language, "voicemail_prompt_known") in heard
    assert heard.endswith(prompt(language, "goodbye"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_voicemail_prompt_does_not_ask_for_a_number_the_call_came_with(
    closed_line: Line, language: str
):
    script = [SKIP_GREETING, {"press": "0"}, {"press": "2"}, {"record": "Proszę o telefon."}]
    call = closed_line.call(CALLERS[language], script)
    asked = call.turns()[3]
    assert prompt(language, "voicemail_prompt_known") in asked
    assert prompt(language, "voicemail_prompt") not in asked
    assert prompt(language, "voicemail_saved") in call.heard()


# The callers' offices are open on weekdays (Warsaw 8:00-16:00, Białystok 7:30-15:30).
OFFICE_DAYS = {
    "pl": "od poniedziałku do piątku, od 8:00 do 16:00",
    "en": "Monday to Friday, 8:00 to 16:00",
    "uk": "з понеділка до п'ятниці, з 8:00 до 16:00",
    "ro": "de luni până vineri, de la 7:30 la 15:30",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_callers_office_hours_are_said_in_their_language(line: Line, language: str):
    documents = [{"press": "1"}, *to_the_end("benefit_documents", language)]
    call = line.call(CALLERS[language], [SKIP_GREETING, *documents, {"press": "9"}])
    heard = call.heard()
    assert OFFICE_DAYS[language] in heard
    assert "pon." not in heard and "pt." not in heard


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_short_list_of_courses_offers_no_next_page_and_ends_as_courses(line: Line, language: str):
    # Each caller's own region has three courses or fewer: one page holds them all.
    script = [SKIP_GREETING, {"press": "3"}, {"press": "1"}, {"press": "1"}, {"press": "9"}]
    call = line.call(CALLERS[language], script)
    courses, pressed_next = call.turns()[3], call.turns()[4]
    assert prompt(language, "trainings_none") not in courses
    assert prompt(language, "trainings_options") not in courses
    assert prompt(language, "trainings_options_last") in courses
    assert prompt(language, "trainings_list_end") in pressed_next
    assert prompt(language, "list_end") not in pressed_next
    assert prompt(language, "trainings_options") not in pressed_next


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pre_check_says_its_disclaimer_once_and_ends_with_what_to_do_next(
    line: Line, language: str
):
    script = [SKIP_GREETING, {"press": "5"}, *[{"press": "1"}] * 8, {"press": "9"}]
    call = line.call(CALLERS[language], script)
    disclaimer = knowledge_rules(language).disclaimer
    assert call.heard().count(disclaimer) == 1
    assert disclaimer in call.turns()[2], "before the first question"
    result = next(turn for turn in call.turns() if prompt(language, "eligibility_after") in turn)
    assert disclaimer not in result
    assert prompt(language, "yes_no") not in result
    assert result.endswith(prompt(language, "eligibility_after"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_town_said_at_the_main_menu_reads_the_vacancies_there(line: Line, language: str):
    script = [SKIP_GREETING, {"say": "Kraków"}, {"press": "#"}, {"press": "9"}]
    call = line.call(CALLERS[language], script)
    region = knowledge.region("12").name_in(language)
    chosen = prompt(language, "place_chosen", place="Kraków", region=region)
    assert chosen in call.turns()[2]
    assert prompt(language, "occupation_prompt") in call.turns()[2]
    assert prompt(language, "vacancies_options") in call.turns()[3]


def parts(topic: str, language: str) -> tuple[str, ...]:
    entry = knowledge.spoken_answer(topic, language)
    assert entry is not None, (topic, language)
    return parts_of(entry.body)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_documents_answer_comes_in_parts_to_skip_or_repeat_with_the_text_offered_first(
    line: Line, language: str
):
    documents = parts("benefit_documents", language)
    assert len(documents) >= 3
    script = [
        SKIP_GREETING,
        {"press": "1"},  # documents: part 1
        {"press": "1"},  # text me the list
        {"press": "#"},  # skip to part 2
        {"press": "*"},  # part 2 again
        {"silence": True},  # part 3 follows by itself
        {"press": "9"},
    ]
    call = line.call(CALLERS[language], script)
    turns = call.turns()
    first = turns[2]
    assert prompt(language, "answer_parts_intro", count=len(documents)) in first
    assert first.index(prompt(language, "answer_parts_intro", count=len(documents))) < first.index(
        documents[0]
    ), "the text message is offered before the list is read"
    assert documents[1] not in first, "one part at a time"
    assert prompt(language, "sms_queued") in turns[3] and documents[0] in turns[3]
    assert documents[1] in turns[4] and documents[0] not in turns[4]
    assert documents[1] in turns[5]
    assert documents[2] in turns[6]
    assert line.messages_to(CALLERS[language]), "the list was texted"


def to_the_end(topic: str, language: str) -> list[dict[str, object]]:
    """Skip every part of an answer but the first, to reach its related topics."""
    return [{"press": "#"}] * (len(parts(topic, language)) - 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_faq_answer_can_be_reached_from_the_menus(line: Line, language: str):
    script = [
        SKIP_GREETING,
        {"press": "1"},
        *to_the_end("benefit_documents", language),
        {"press": "2"},  # who gets benefit, and how much
        *to_the_end("benefit_claim", language),
        {"press": "3"},  # where to register
        {"press": "9"},
        {"press": "4"},  # working abroad
        *to_the_end("eures", language),
        {"press": "2"},  # keeping benefit while looking for work abroad
        *to_the_end("eures_benefit_abroad", language),
        {"press": "3"},  # coming back to Poland
        {"press": "9"},
        {"press": "3"},  # courses
        {"press": "1"},  # in the caller's own region
        {"press": "4"},  # how to get a course paid
        {"press": "9"},
    ]
    heard = line.call(CALLERS[language], script).heard()
    for topic in (
        "benefit_documents", "benefit_claim", "where_to_register", "eures",
        "eures_benefit_abroad", "returning_from_abroad", "training_info",
    ):  # fmt: skip
        assert parts(topic, language)[0] in heard, topic


OWN_OFFICE = {"pl": "WAW", "en": "WAW", "uk": "WAW", "ro": "BIA"}
OWN_REGION = {"pl": "14", "en": "14", "uk": "14", "ro": "20"}
ALL_OFFERS_THEN_TEXT = [
    SKIP_GREETING,
    {"press": "2"},  # vacancies
    {"press": "1"},  # in the caller's own region
    {"press": "#"},  # any occupation
    {"press": "2"},  # text them to me
    {"press": "9"},
]


def region_vacancies(region_code: str) -> list[Vacancy]:
    return list(db.session.scalars(select(Vacancy).where(Vacancy.region_code == region_code)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_offers_are_read_with_their_number_and_where_to_apply_and_texted_so(
    line: Line, language: str
):
    call = line.call(CALLERS[language], ALL_OFFERS_THEN_TEXT)
    offers = call.turns()[4]
    references = {v.external_id: spoken_reference(v.external_id) for v in region_vacancies(
        OWN_REGION[language])}  # fmt: skip
    read = [ref for ref, said in references.items() if
            prompt(language, "vacancy_reference", reference=said) in offers]  # fmt: skip
    assert len(read) == 3, "each of the three offers is read with its number"
    office = knowledge.office_card(OWN_OFFICE[language])
    assert office is not None
    apply_at = prompt(language, "vacancy_apply_office", office=office.name, address=office.address)
    assert offers.count(apply_at) == 1, "the office is named once for the offers it published"
    text = line.messages_to(CALLERS[language])[-1]["body"]
    assert all(f"nr {reference}" in text for reference in read)
    assert office.name in text and office.address in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_offer_with_its_own_contact_is_read_and_texted_with_it(line: Line, language: str):
    contact = "rekrutacja@example.org"
    with db.transaction():
        for vacancy in region_vacancies(OWN_REGION[language]):
            vacancy.contact = contact
    call = line.call(CALLERS[language], ALL_OFFERS_THEN_TEXT)
    offers = call.turns()[4]
    assert offers.count(prompt(language, "vacancy_contact", contact=contact)) == 3
    office = knowledge.office_card(OWN_OFFICE[language])
    assert office is not None and office.address not in offers
    assert line.messages_to(CALLERS[language])[-1]["body"].count(contact) == 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_past_the_maximum_wait_the_voicemail_prompt_asks_for_no_known_number(
    make_line, language: str
):
    line = make_line(max_wait_seconds=0)
    script = [SKIP_GREETING, {"press": "0"}, {"press": "2"}, {"record": "Proszę oddzwonić."}]
    call = line.call(CALLERS[language], script)
    heard = call.heard()
    assert prompt(language, "voicemail_prompt_known") in heard
    assert prompt(language, "voicemail_prompt") not in heard


SAID_TOPICS = {
    "pl": [("wracam z zagranicy", "returning_from_abroad"),
           ("gdzie mam się zarejestrować", "where_to_register")],
    "en": [("I am coming back to Poland", "returning_from_abroad"),
           ("where do I register", "where_to_register")],
    "uk": [("повернення до Польщі", "returning_from_abroad"),
           ("де зареєструватися", "where_to_register")],
    "ro": [("mă întorc în Polonia", "returning_from_abroad"),
           ("unde mă înregistrez", "where_to_register")],
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_answer_without_a_key_can_be_asked_for_in_words_at_the_main_menu(
    line: Line, language: str
):
    for words, topic in SAID_TOPICS[language]:
        call = line.call(CALLERS[language], [SKIP_GREETING, {"say": words}, {"press": "9"}])
        assert parts(topic, language)[0] in call.turns()[2], words
