"""Read TwiML documents the way Twilio does: strictly, verb by verb."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from emulator.exceptions import ApplicationError

VOICE_VERBS = frozenset(
    {"Say", "Play", "Pause", "Gather", "Redirect", "Enqueue", "Leave", "Dial", "Record"}
    | {"Hangup", "Reject"}
)
WAIT_DOCUMENT_VERBS = frozenset({"Play", "Say", "Pause", "Hangup", "Redirect", "Leave", "Gather"})
GATHER_PROMPT_VERBS = frozenset({"Say", "Play", "Pause"})
DEQUEUE_ANNOUNCEMENT_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})
SCREEN_VERBS = frozenset({"Say", "Play", "Pause", "Gather", "Redirect", "Hangup"})
CONFERENCE_MEDIA_VERBS = frozenset({"Play", "Say", "Pause", "Redirect"})
DIAL_NOUNS = frozenset({"Client", "Number", "Queue", "Conference"})
NUMERIC_ATTRIBUTES = {
    "Say": ("loop",),
    "Play": ("loop",),
    "Pause": ("length",),
    "Gather": ("numDigits", "timeout"),
    "Dial": ("timeout", "timeLimit"),
    "Record": ("timeout", "maxLength"),
}
XML_CONTENT_TYPES = ("text/xml", "application/xml", "text/html", "text/plain")


@dataclass(frozen=True)
class Verb:
    """One element of a TwiML document, with its attributes, text and nested elements."""

    name: str
    attrs: dict[str, str]
    text: str
    children: tuple[Verb, ...] = ()

    def attr(self, name: str, default: str | None = None) -> str | None:
        """Return an attribute as written, or the default when it is absent."""
        return self.attrs.get(name, default)

    def number(self, name: str, default: float) -> float:
        """Return a numeric attribute, falling back to the default when it does not parse."""
        raw = self.attrs.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return float(raw)
        except ValueError:
            return default

    def flag(self, name: str, default: bool = False) -> bool:
        """Return a true/false attribute."""
        raw = self.attrs.get(name)
        if raw is None:
            return default
        return raw.strip().lower() == "true"

    def invalid_numbers(self) -> list[str]:
        """Name this verb's numeric attributes whose values are not numbers."""
        bad = []
        for name in NUMERIC_ATTRIBUTES.get(self.name, ()):
            raw = self.attrs.get(name)
            if raw is None:
                continue
            try:
                float(raw)
            except ValueError:
                bad.append(f"{name}={raw!r}")
        return bad


def _element_to_verb(element: ET.Element) -> Verb:
    text = "".join(element.itertext()) if element.tag == "Say" else (element.text or "")
    return Verb(
        name=element.tag,
        attrs=dict(element.attrib),
        text=" ".join(text.split()),
        children=tuple(_element_to_verb(child) for child in element),
    )


def parse_document(body: str | bytes, url: str | None = None) -> list[Verb]:
    """Parse a TwiML answer into its verbs, refusing what Twilio would refuse."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ApplicationError(f"the answer is not well-formed XML ({exc})", url) from exc
    if root.tag != "Response":
        raise ApplicationError(f"the XML root is <{root.tag}>, not <Response>", url)
    verbs = [_element_to_verb(child) for child in root]
    for verb in verbs:
        if verb.name not in VOICE_VERBS:
            raise ApplicationError(f"<{verb.name}> is not a voice verb the emulator knows", url)
        if verb.name == "Gather":
            for child in verb.children:
                if child.name not in GATHER_PROMPT_VERBS:
                    raise ApplicationError(f"<{child.name}> may not be nested in <Gather>", url)
    return verbs


def content_type_is_twiml(content_type: str) -> bool:
    """Tell whether Twilio reads a response of this Content-Type as TwiML."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in XML_CONTENT_TYPES


def dial_targets(dial: Verb) -> list[Verb]:
    """Return the nouns a <Dial> rings; bare text is a phone number."""
    if dial.children:
        return list(dial.children)
    if dial.text:
        return [Verb("Number", {}, dial.text)]
    return []


def client_identity(noun: Verb) -> str:
    """Return the identity a <Client> noun names, nested <Identity> or bare text."""
    for child in noun.children:
        if child.name == "Identity":
            return child.text
    return noun.text


def conference_document(name: str, attributes: dict[str, str]) -> str:
    """Return the TwiML that puts a call into a named conference with these attributes."""
    response = ET.Element("Response")
    noun = ET.SubElement(ET.SubElement(response, "Dial"), "Conference", attributes)
    noun.text = name
    return ET.tostring(response, encoding="unicode")


@dataclass(frozen=True)
class Fetch:
    """Go on with the TwiML at a URL, sending these parameters besides the standard ones."""

    url: str
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunTwiml:
    """Go on with TwiML given inline (a REST update with Twiml=...)."""

    twiml: str


class Leave:
    """A <Leave> ended the wait in a queue."""


Outcome = Fetch | RunTwiml | Leave
