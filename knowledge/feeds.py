"""Reading vacancy and training feeds (CSV, JSON, XML) and checking each row.

Reading turns a file into numbered rows of named fields. Checking turns one row into a
record ready to save, or raises RowProblem with every reason the row cannot be used.
Neither touches the database: the places a row may name come in as a Gazetteer.

The XML feed carries vacancies only. Its shape (sample: data/samples/oferty.xml):

    <oferty zrodlo="pup-bialystok">
      <oferta id="BIA/2026/0412">
        <stanowisko>Spawacz MAG</stanowisko>
        <zawod kod="7212">Spawacz</zawod>
        <pracodawca>...</pracodawca>
        <miejsce wojewodztwo="20" powiat="Białystok">Białystok</miejsce>
        <urzad>BIA</urzad>
        <wynagrodzenie od="6500" do="8000" waluta="PLN" okres="miesiac"/>
        <umowa>umowa o pracę</umowa>  <wymiar>pełny etat</wymiar>
        <opublikowano>2026-11-02</opublikowano>  <wazna_do>2026-12-31</wazna_do>
        <opis>...</opis>  <sms>...</sms>  <kontakt>tel. 85 000 00 00</kontakt>
      </oferta>
    </oferty>
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from hotline.outbound import CONTROL, link_host, outbound
from hotline.speech import DEFAULT_LANGUAGE
from knowledge.matching import plain
from knowledge.models import ImportKind, ImportTarget

MAX_EXCERPT = 300
SMS_LIMIT = 300
# The longest description an offer may have: read out it would run for minutes already.
DESCRIPTION_LIMIT = 4000

VACANCY_FIELDS = (
    "external_id", "title", "occupation", "occupation_code", "employer", "city", "county",
    "region", "office_code", "wage_min", "wage_max", "contract_type", "working_time",
    "posted_on", "expires_on", "description", "summary", "source", "contact",
)  # fmt: skip
TRAINING_FIELDS = (
    "external_id", "title", "provider", "region", "city", "starts_on", "ends_on",
    "registration_deadline", "hours", "cost_pln", "funded", "languages", "description",
    "summary", "source",
)  # fmt: skip

# Column names a Polish spreadsheet may use for the same fields.
COLUMN_ALIASES = {
    "id": "external_id", "numer": "external_id", "nr_oferty": "external_id",
    "stanowisko": "title", "tytul": "title", "nazwa": "title",
    "zawod": "occupation", "kod_zawodu": "occupation_code", "pracodawca": "employer",
    "miejscowosc": "city", "miasto": "city", "powiat": "county",
    "wojewodztwo": "region", "region_code": "region", "urzad": "office_code",
    "wynagrodzenie_od": "wage_min", "wynagrodzenie_do": "wage_max",
    "umowa": "contract_type", "rodzaj_umowy": "contract_type", "wymiar": "working_time",
    "data_publikacji": "posted_on", "opublikowano": "posted_on", "wazna_do": "expires_on",
    "data_waznosci": "expires_on", "opis": "description", "sms": "summary",
    "organizator": "provider", "data_rozpoczecia": "starts_on",
    "data_zakonczenia": "ends_on", "zapisy_do": "registration_deadline",
    "liczba_godzin": "hours", "godziny": "hours", "koszt": "cost_pln",
    "finansowane": "funded", "jezyki": "languages", "zrodlo": "source",
    "kontakt": "contact", "dane_kontaktowe": "contact",
}  # fmt: skip

TRUE_WORDS = {"1", "true", "yes", "tak", "t", "y"}
FALSE_WORDS = {"0", "false", "no", "nie", "n", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y")


class FeedError(Exception):
    """The file as a whole cannot be read; no row is imported."""


class RowProblem(Exception):
    """One row cannot be imported; the message lists every reason."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class FeedRow:
    """One record of a feed: its row number, its fields by name, and a short raw excerpt."""

    number: int
    fields: dict[str, Any]
    excerpt: str


@dataclass(frozen=True)
class Feed:
    """What a file holds: the source it names (if any) and its rows."""

    source: str | None
    rows: list[FeedRow]
    # The encoding the file was converted from, when it was not UTF-8 (the user is told).
    converted_from: str | None = None


@dataclass
class Gazetteer:
    """The regions, counties and places a row may name, in plain form for lookups."""

    regions: dict[str, str] = field(default_factory=dict)
    counties: dict[str, dict[str, str]] = field(default_factory=dict)
    places: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_region(self, code: str, names: list[str]) -> None:
        """Know a region by its code and each of its names."""
        self.regions[code] = code
        self.regions[str(int(code))] = code
        for name in names:
            self.regions[plain(name)] = code
        self.counties.setdefault(code, {})
        self.places.setdefault(code, {})

    def add_county(self, region_code: str, name: str) -> None:
        """Know a county of a region."""
        self.counties.setdefault(region_code, {})[county_key(name)] = name

    def add_place(self, region_code: str, name: str) -> None:
        """Know a place of a region, so a feed's spelling can be made canonical."""
        self.places.setdefault(region_code, {})[plain(name)] = name

    def region_code(self, text: str) -> str | None:
        """Return the code of the region a feed names by code or by name."""
        value = plain(text)
        value = re.sub(r"^(wojewodztwo|woj|pl)\s+", "", value)
        return self.regions.get(value)


def county_key(name: str) -> str:
    """Return the plain form of a county name without "powiat" or "m. st." in front."""
    value = plain(name)
    value = re.sub(r"^(powiat|pow|miasto na prawach powiatu|miasto|m st|m)\s+", "", value)
    return value


@dataclass(frozen=True)
class VacancyRecord:
    """A checked vacancy row."""

    source: str
    external_id: str
    title: str
    occupation: str
    occupation_code: str | None
    employer: str
    city: str
    county: str | None
    region_code: str
    office_code: str | None
    wage_min: int | None
    wage_max: int | None
    contract_type: str | None
    working_time: str | None
    posted_on: date
    expires_on: date
    description: str
    sms_summary: str
    contact: str | None = None


@dataclass(frozen=True)
class TrainingRecord:
    """A checked training row."""

    source: str
    external_id: str
    title: str
    provider: str
    region_code: str
    city: str
    starts_on: date
    ends_on: date
    registration_deadline: date | None
    hours: int
    cost_pln: int | None
    funded: bool
    languages: list[str]
    description: str
    sms_summary: str


# Reading -------------------------------------------------------------------------------


def read_feed(kind: ImportKind, target: ImportTarget, path: Path) -> Feed:
    """Read a file into rows; raise FeedError when the file itself is unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if kind == ImportKind.CSV:
        return read_csv(data, target)
    if kind == ImportKind.JSON:
        return read_json(data, target)
    if target != ImportTarget.VACANCIES:
        raise FeedError("the XML feed carries vacancies only")
    return read_xml(data)


@dataclass(frozen=True)
class Decoded:
    """A file's text, and the encoding it was read in when that was not UTF-8."""

    text: str
    converted_from: str | None = None


def decode(data: bytes) -> Decoded:
    """Decode UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1250 as Polish Excel
    saves a CSV; anything else fails with a clear message."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "UTF-16")
        except UnicodeDecodeError as exc:
            raise FeedError("the file starts as UTF-16 but is not; save it as UTF-8") from exc
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1250")
    except UnicodeDecodeError:
        text = None
    # cp1250 decodes almost any bytes; take it only when the text reads as text (no control
    # characters besides line ends and tabs), as a spreadsheet's export does.
    if text is not None and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        return Decoded(text, "Windows-1250")
    raise FeedError(
        f"the file is neither UTF-8 nor Windows-1250 (byte {utf8_error.start}); save it as UTF-8"
    ) from utf8_error


def column_name(header: str) -> str:
    """Map a header cell to a field name (English, or a common Polish alias)."""
    key = plain(header).replace(" ", "_")
    return COLUMN_ALIASES.get(key, key)


def read_csv(data: bytes, target: ImportTarget) -> Feed:
    """Read a CSV with a header row; commas or semicolons (as Polish Excel writes)."""
    decoded = decode(data)
    text = decoded.text
    if not text.strip():
        raise FeedError("the file is empty")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _csv_rows(reader, delimiter, decoded.converted_from)
    except csv.Error as exc:
        # A cell past the csv module's field limit (an unclosed quote swallowing the rest of
        # the file, say) breaks every attempt the same way: the file cannot be read.
        raise FeedError(f"the CSV cannot be read at line {reader.line_num}: {exc}") from exc


def _csv_rows(reader: Any, delimiter: str, converted_from: str | None) -> Feed:
    header = [column_name(cell) for cell in next(reader)]
    required = {"external_id", "title"}
    if not required <= set(header):
        missing = ", ".join(sorted(required - set(header)))
        raise FeedError(f"the header row lacks the column(s): {missing}")
    rows = []
    line = reader.line_num
    for cells in reader:
        number = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        fields: dict[str, Any] = dict(zip(header, cells, strict=False))
        if len(cells) > len(header):
            fields["_extra_cells"] = len(cells) - len(header)
        rows.append(FeedRow(number, fields, excerpt(delimiter.join(cells))))
    return Feed(None, rows, converted_from)


def read_json(data: bytes, target: ImportTarget) -> Feed:
    """Read a JSON list of objects, or an object with "source" and a list under the target."""
    decoded = decode(data)
    try:
        document = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise FeedError("the JSON is nested too deeply to be a feed") from exc
    source = None
    if isinstance(document, dict):
        source = document.get("source")
        document = document.get(target.value, document.get("items"))
    if not isinstance(document, list):
        raise FeedError(f'expected a list of {target.value}, or an object with "{target.value}"')
    rows = []
    for number, item in enumerate(document, start=1):
        try:
            raw = json.dumps(item, ensure_ascii=False)
        except RecursionError as exc:
            raise FeedError(f"record {number} is nested too deeply to be an offer") from exc
        if not isinstance(item, dict):
            rows.append(FeedRow(number, {"_not_an_object": True}, excerpt(raw)))
            continue
        fields = {column_name(key): value for key, value in item.items()}
        rows.append(FeedRow(number, fields, excerpt(raw)))
    return Feed(str(source)[:40] if source else None, rows, decoded.converted_from)


def read_xml(data: bytes) -> Feed:
    """Read the <oferty> vacancy feed."""
    # Entities and DTDs are how XML bombs and file disclosure work; a feed needs neither.
    # defusedxml refuses them whatever the file's encoding (a byte search misses UTF-16).
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FeedError("the XML declares a DTD or entities, which feeds must not") from exc
    except ET.ParseError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from exc
    if root.tag != "oferty":
        raise FeedError(f"expected <oferty> as the root element, found <{root.tag}>")
    rows = []
    for number, offer in enumerate(root.findall("oferta"), start=1):
        raw = ET.tostring(offer, encoding="unicode")
        rows.append(FeedRow(number, xml_fields(offer), excerpt(raw)))
    return Feed(root.get("zrodlo"), rows)


def xml_fields(offer: ET.Element) -> dict[str, Any]:
    """Map one <oferta> to field names."""

    def text(tag: str) -> str:
        element = offer.find(tag)
        return (element.text or "").strip() if element is not None else ""

    occupation = offer.find("zawod")
    place = offer.find("miejsce")
    wage = offer.find("wynagrodzenie")
    fields: dict[str, Any] = {
        "external_id": offer.get("id", ""),
        "title": text("stanowisko"),
        "occupation": text("zawod"),
        "occupation_code": occupation.get("kod", "") if occupation is not None else "",
        "employer": text("pracodawca"),
        "city": text("miejsce"),
        "region": place.get("wojewodztwo", "") if place is not None else "",
        "county": place.get("powiat", "") if place is not None else "",
        "office_code": text("urzad"),
        "contract_type": text("umowa"),
        "working_time": text("wymiar"),
        "posted_on": text("opublikowano"),
        "expires_on": text("wazna_do"),
        "description": text("opis"),
        "summary": text("sms"),
        "contact": text("kontakt"),
    }
    if wage is not None:
        fields["wage_min"] = wage.get("od", "")
        fields["wage_max"] = wage.get("do", "")
        fields["_wage_currency"] = wage.get("waluta", "PLN")
        fields["_wage_period"] = wage.get("okres", "miesiac")
    return fields


def excerpt(raw: str) -> str:
    """Return the start of a raw record, short enough to show on a status page."""
    flat = " ".join(raw.split())
    return flat if len(flat) <= MAX_EXCERPT else flat[: MAX_EXCERPT - 1] + "…"


# Checking ------------------------------------------------------------------------------


class FieldReader:
    """Pulls typed values out of a row, collecting a reason for each bad one."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields
        self.reasons: list[str] = []

    def text(self, name: str, limit: int, required: bool = False) -> str:
        """Return a stripped text field."""
        value = self.fields.get(name)
        result = "" if value is None else " ".join(str(value).split())
        if required and not result:
            self.reasons.append(f"missing {name}")
        elif len(result) > limit:
            self.reasons.append(f"{name} is longer than {limit} characters")
        self.refuse_control_characters(name, result)
        return result

    def refuse_control_characters(self, name: str, text: str) -> None:
        """Note a field holding NUL or other control characters, which no database keeps alike
        (PostgreSQL refuses NUL in text, SQLite stores it)."""
        if CONTROL.search(text):
            self.reasons.append(f"{name} holds control characters")

    def long_text(self, name: str, limit: int = DESCRIPTION_LIMIT) -> str:
        """Return a free-text field, keeping its line breaks."""
        result = self.stripped(name)
        if len(result) > limit:
            self.reasons.append(f"{name} is longer than {limit} characters")
        self.refuse_control_characters(name, result)
        return result

    def check_for_callers(self, texts: dict[str, str]) -> None:
        """Note texts that callers would hear or read and that link outside the allowed
        domains (a phishing text must not go out in the job alerts)."""
        policy = outbound.current()
        for name, text in texts.items():
            foreign = policy.foreign_links(text)
            if foreign:
                hosts = ", ".join(sorted({link_host(link) or link for link in foreign}))
                self.reasons.append(f"{name} links outside the allowed domains ({hosts})")

    def stripped(self, name: str, required: bool = False) -> str:
        """Return a field as stripped text, noting it when it is required but empty."""
        value = self.fields.get(name)
        raw = "" if value is None else str(value).strip()
        if required and not raw:
            self.reasons.append(f"missing {name}")
        return raw

    def day(self, name: str, required: bool = False) -> date | None:
        """Return a date written as YYYY-MM-DD (or DD.MM.YYYY)."""
        raw = self.stripped(name, required)
        if not raw:
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        self.reasons.append(f"bad date in {name}: {raw!r} (use YYYY-MM-DD)")
        return None

    def amount(self, name: str, required: bool = False) -> int | None:
        """Return a whole, non-negative amount; accepts "5 500,00" and "5500.5"."""
        raw = self.stripped(name, required)
        if not raw:
            return None
        cleaned = re.sub(r"[\s\u00a0]|zł|zl|pln", "", raw.lower()).replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            self.reasons.append(f"{name} is not a number: {raw!r}")
            return None
        if number < 0:
            self.reasons.append(f"{name} is negative: {raw!r}")
            return None
        return round(number)

    def flag(self, name: str) -> bool:
        """Return a yes/no field (tak/nie, yes/no, true/false, 1/0)."""
        value = self.fields.get(name)
        if isinstance(value, bool):
            return value
        raw = plain("" if value is None else str(value))
        if raw in TRUE_WORDS:
            return True
        if raw not in FALSE_WORDS:
            self.reasons.append(f"{name} must be yes or no, not {value!r}")
        return False

    def words(self, name: str) -> list[str]:
        """Return a list field given as a JSON list or as "pl, uk" text."""
        value = self.fields.get(name)
        if isinstance(value, list):
            return [str(item).strip().lower() for item in value if str(item).strip()]
        raw = "" if value is None else str(value)
        return [part.strip().lower() for part in re.split(r"[,;/ ]+", raw) if part.strip()]


def check_shape(row: FeedRow, reader: FieldReader) -> None:
    """Note rows that are not objects or have more cells than the header has columns."""
    if row.fields.get("_not_an_object"):
        raise RowProblem(["the record is not an object"])
    if row.fields.get("_extra_cells"):
        reader.reasons.append(f"{row.fields['_extra_cells']} more cell(s) than header columns")


def place_fields(reader: FieldReader, gazetteer: Gazetteer) -> tuple[str, str, str | None]:
    """Return the region code, city and county a row names, checked against the gazetteer."""
    region_text = reader.text("region", 60, required=True)
    region_code = gazetteer.region_code(region_text) if region_text else None
    if region_text and region_code is None:
        reader.reasons.append(f"unknown region {region_text!r}")
    city = reader.text("city", 80, required=True)
    county = reader.text("county", 80) or None
    if region_code is not None:
        city = gazetteer.places.get(region_code, {}).get(plain(city), city)
        if county:
            known = gazetteer.counties.get(region_code, {})
            canonical = known.get(county_key(county))
            if canonical is None:
                reader.reasons.append(f"county {county!r} is not in region {region_code}")
            county = canonical or county
    return region_code or "", city, county


def check_vacancy(row: FeedRow, gazetteer: Gazetteer, source: str) -> VacancyRecord:
    """Return the row as a vacancy, or raise RowProblem with every reason it is unusable."""
    reader = FieldReader(row.fields)
    check_shape(row, reader)
    external_id = reader.text("external_id", 64, required=True)
    title = reader.text("title", 200, required=True)
    occupation = reader.text("occupation", 160, required=True)
    code = reader.text("occupation_code", 6) or None
    if code and not re.fullmatch(r"\d{4}|\d{6}", code):
        reader.reasons.append(f"occupation_code must be 4 (ISCO) or 6 (KZiS) digits: {code!r}")
    employer = reader.text("employer", 200, required=True)
    region_code, city, county = place_fields(reader, gazetteer)
    wage_min = reader.amount("wage_min")
    wage_max = reader.amount("wage_max")
    if row.fields.get("_wage_currency", "PLN").upper() != "PLN":
        reader.reasons.append(f"wage currency must be PLN, not {row.fields['_wage_currency']!r}")
    if plain(str(row.fields.get("_wage_period", "miesiac"))) not in {"miesiac", "month"}:
        reader.reasons.append('only monthly wages are supported (okres="miesiac")')
    if wage_min is not None and wage_max is not None and wage_min > wage_max:
        reader.reasons.append(f"wage_min {wage_min} is more than wage_max {wage_max}")
    contract_type = reader.text("contract_type", 40) or None
    working_time = reader.text("working_time", 40) or None
    posted_on = reader.day("posted_on", required=True)
    expires_on = reader.day("expires_on", required=True)
    if posted_on and expires_on and expires_on < posted_on:
        reader.reasons.append(f"expires on {expires_on} before it was posted on {posted_on}")
    summary = reader.text("summary", SMS_LIMIT)
    description = reader.long_text("description")
    office_code = reader.text("office_code", 32) or None
    contact = reader.text("contact", 200) or None
    row_source = reader.text("source", 40) or source
    reader.check_for_callers(
        {
            "title": title, "occupation": occupation, "employer": employer, "city": city,
            "contract_type": contract_type or "", "working_time": working_time or "",
            "description": description, "summary": summary,
        }
    )  # fmt: skip
    if reader.reasons:
        raise RowProblem(reader.reasons)
    assert posted_on is not None and expires_on is not None
    record = VacancyRecord(
        source=row_source, external_id=external_id, title=title, occupation=occupation,
        occupation_code=code, employer=employer, city=city, county=county,
        region_code=region_code, office_code=office_code, wage_min=wage_min,
        wage_max=wage_max, contract_type=contract_type, working_time=working_time,
        posted_on=posted_on, expires_on=expires_on, description=description,
        sms_summary=summary, contact=contact,
    )  # fmt: skip
    if not summary:
        record = replace(record, sms_summary=vacancy_sms(record))
    return record


def check_training(row: FeedRow, gazetteer: Gazetteer, source: str) -> TrainingRecord:
    """Return the row as a training offer, or raise RowProblem with every reason."""
    reader = FieldReader(row.fields)
    check_shape(row, reader)
    external_id = reader.text("external_id", 64, required=True)
    title = reader.text("title", 200, required=True)
    provider = reader.text("provider", 200, required=True)
    region_code, city, _county = place_fields(reader, gazetteer)
    starts_on = reader.day("starts_on", required=True)
    ends_on = reader.day("ends_on", required=True)
    deadline = reader.day("registration_deadline")
    if starts_on and ends_on and ends_on < starts_on:
        reader.reasons.append(f"ends on {ends_on} before it starts on {starts_on}")
    if deadline and ends_on and deadline > ends_on:
        reader.reasons.append(f"registration closes on {deadline}, after the course ends")
    hours = reader.amount("hours", required=True)
    if hours == 0:
        reader.reasons.append("hours must be more than 0")
    cost = reader.amount("cost_pln")
    funded = reader.flag("funded")
    languages = reader.words("languages") or [DEFAULT_LANGUAGE]
    bad_languages = [code for code in languages if not re.fullmatch(r"[a-z]{2}", code)]
    if bad_languages:
        reader.reasons.append(f"languages must be two-letter codes: {', '.join(bad_languages)}")
    summary = reader.text("summary", SMS_LIMIT)
    description = reader.long_text("description")
    row_source = reader.text("source", 40) or source
    reader.check_for_callers(
        {
            "title": title, "provider": provider, "city": city, "description": description,
            "summary": summary,
        }
    )  # fmt: skip
    if reader.reasons:
        raise RowProblem(reader.reasons)
    assert starts_on is not None and ends_on is not None and hours is not None
    record = TrainingRecord(
        source=row_source, external_id=external_id, title=title, provider=provider,
        region_code=region_code, city=city, starts_on=starts_on, ends_on=ends_on,
        registration_deadline=deadline, hours=hours, cost_pln=cost, funded=funded,
        languages=languages, description=description, sms_summary=summary,
    )  # fmt: skip
    if not summary:
        record = replace(record, sms_summary=training_sms(record))
    return record


def vacancy_sms(record: VacancyRecord) -> str:
    """Compose a short text message about a vacancy (Polish, under 300 characters)."""
    wage = ""
    if record.wage_min and record.wage_max:
        wage = f" {record.wage_min}-{record.wage_max} zł brutto."
    elif record.wage_min:
        wage = f" Od {record.wage_min} zł brutto."
    text = (
        f"{record.title}, {record.employer}, {record.city}.{wage}"
        f" Ważna do {record.expires_on:%d.%m.%Y}. Nr oferty {record.external_id}."
    )
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 1] + "…"


def training_sms(record: TrainingRecord) -> str:
    """Compose a short text message about a training offer."""
    money = "bezpłatne dla skierowanych" if record.funded else f"koszt {record.cost_pln or 0} zł"
    closes = record.registration_deadline or record.starts_on
    text = (
        f"{record.title}, {record.provider}, {record.city}. Od {record.starts_on:%d.%m.%Y},"
        f" {record.hours} godz., {money}. Zapisy do {closes:%d.%m.%Y}."
        f" Nr {record.external_id}."
    )
    return text if len(text) <= SMS_LIMIT else text[: SMS_LIMIT - 1] + "…"
