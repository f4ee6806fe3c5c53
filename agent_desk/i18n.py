"""The desk's languages: Polish by default, English for whoever chooses it (Flask-Babel).

The catalogues live in agent_desk/translations (messages.po, compiled to the messages.mo that
is committed beside it; tests/agent_desk/test_i18n.py checks the two agree). Dates, times and
numbers follow the reader's locale in the centre's time zone; English pages are formatted the
British way, with a 24-hour clock, as a Polish office expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from flask import Flask
from flask_babel import Babel, format_datetime, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LANGUAGE = "pl"
# A person's choice, and the locale their pages are formatted in.
DESK_LANGUAGES: Mapping[str, str] = {"pl": "pl", "en": "en_GB"}
LANGUAGE_NAMES: Mapping[str, str] = {"pl": "Polski", "en": "English"}

babel = Babel()


def desk_locale() -> str:
    """Return the locale of the person signed in (Polish for a visitor or an unknown choice)."""
    chosen = getattr(current_user, "desk_language", None) or DEFAULT_LANGUAGE
    return DESK_LANGUAGES.get(chosen, DESK_LANGUAGES[DEFAULT_LANGUAGE])


def locale_of(person: object) -> str:
    """Return the desk locale a person chose, for work done outside their request (a stream)."""
    chosen = getattr(person, "desk_language", None) or DEFAULT_LANGUAGE
    return DESK_LANGUAGES.get(chosen, DESK_LANGUAGES[DEFAULT_LANGUAGE])


def init_app(app: Flask, timezone: str) -> None:
    """Attach Flask-Babel to the app: the catalogues, the chooser, and the centre's time zone."""
    babel.init_app(
        app,
        locale_selector=desk_locale,
        default_locale=DESK_LANGUAGES[DEFAULT_LANGUAGE],
        default_timezone=timezone,
        default_translation_directories=str(TRANSLATIONS),
    )


def local_time(moment: datetime | None, width: str = "short") -> str:
    """Show a stored UTC time in the centre's time zone, the reader's way ("short" or
    "medium", which adds seconds)."""
    if moment is None:
        return ""
    return str(format_datetime(moment, width))


def page_language() -> str:
    """Return the language tag of the page (pl, en-GB) for <html lang> and the scripts."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else DEFAULT_LANGUAGE


STATIC = Path(__file__).parent / "static"


@cache
def script_messages() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Return the texts the desk's scripts mark with _() and the plurals they mark with
    ngettext(), read from the scripts themselves by Babel's JavaScript extractor."""
    singles: dict[str, None] = {}
    plurals: dict[tuple[str, str], None] = {}
    for script in sorted(STATIC.glob("*.js")):
        with script.open("rb") as source:
            for _line, message, _comments, _context in extract(
                "javascript", source, keywords=DEFAULT_KEYWORDS
            ):
                if isinstance(message, str):
                    singles[message] = None
                else:
                    plurals[(str(message[0]), str(message[1]))] = None
    return tuple(singles), tuple(plurals)


def plural_samples() -> dict[str, int]:
    """Return a whole number for each plural category of the reader's locale (CLDR's names:
    one, few, many, other), so that the scripts can pick a form with Intl.PluralRules."""
    rule = get_locale().plural_form
    samples: dict[str, int] = {}
    for number in range(0, 200):
        samples.setdefault(rule(number), number)
    return samples


def script_texts() -> dict[str, object]:
    """Return the scripts' words in the reader's language: each text by its English, and each
    plural by its English singular, in every plural form of the language. The page carries
    them in a data attribute, since the CSP allows no inline script."""
    translations = get_translations()
    singles, plurals = script_messages()
    samples = plural_samples()
    return {
        "texts": {text: translations.ugettext(text) for text in singles},
        "plurals": {
            singular: {
                category: translations.ungettext(singular, plural, number)
                for category, number in samples.items()
            }
            for singular, plural in plurals
        },
    }


# What the desk's services may refuse, in English as they raise it; refusal_text finds the
# reader's words for it. (Refusals that name a value, such as a phone number, stay English.)
REFUSALS = (
    _l("this call is not being recorded"),
    _l("the recording has not started yet; try again in a moment"),
    _l(
        "Only a consultant who took this call, or who has opened the caller's record "
        "(with a reason if it is not theirs), may play its recording."
    ),
    _l("the phone network refused to pause the recording; try again"),
    _l("the phone network refused to resume the recording; try again"),
    _l("choose an outcome"),
    _l("that voicemail has already been handled"),
    _l("The current password is wrong."),
    _l("A password needs at least 12 characters."),
    _l("A password may not start or end with spaces or hold control keys."),
    _l("no such customer"),
    _l("another customer already has that phone number"),
    _l("that contact is not yours to wrap up"),
    _l("upload a .csv, .json or .xml file"),
    _l("the file is larger than 20 MB"),
    _l("finish the current call first"),
    _l("fill in the wrap-up form first"),
    _l("the XML feed carries vacancies only"),
    _l("choose a reason for the break"),
    _l("choose a reason for not being ready"),
    _l("that reason is not on the office's list"),
    _l("Choose one of the languages offered."),
    # Supervision (routing.supervision's refusals, agent_desk.supervision's and the state's).
    _l("Only supervisors may see and join colleagues' calls."),
    _l("leave the colleague's call you are in first"),
    _l("This call has ended."),
    _l("This is a callback, dialled straight to the customer: there is no room to join."),
    _l("This is your own call."),
    _l("Take a break first, so that no caller rings you while you are in a colleague's call."),
    _l("Finish your own call first."),
    _l(
        "Save your wrap-up and take a break first, so that no caller rings you while you are "
        "in a colleague's call."
    ),
    _l("The phone network did not ring your phone; try again."),
    _l("Your phone did not join the call; try again."),
    _l("You are not in this call."),
    _l("Another supervisor is in this call already."),
    _l("You are in another call already: leave it first."),
    _l("Someone else has just joined this call."),
    _l("Your phone is not in the call (yet); try again in a moment."),
    _l("The phone network did not take the change; try again."),
    _l("You can raise a hand during a call."),
    _l("A supervisor cannot join a callback; raise a hand on a call from the queue."),
)


def refusal_text(error: Exception) -> str:
    """Return a refusal's message in the reader's language, where the catalogue has it."""
    message = str(error)
    return get_translations().ugettext(message) if message else message
