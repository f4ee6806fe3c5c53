"""Text messages the centre sends: an answer, the offers read out, job alerts."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache

import phonenumbers
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hotline import speech
from hotline.db import db, utcnow
from hotline.jobs import jobs
from hotline.outbound import outbound
from knowledge import service as knowledge
from knowledge.models import TrainingOffer
from messaging.models import OutboundSms, SmsStatus

log = logging.getLogger(__name__)

MAX_BODY = 640
TEXTABLE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def can_text(number: str | None, region: str = "PL") -> bool:
    """Tell whether a number can receive our text messages: a mobile in an allowed country."""
    if not number or not is_mobile(number, region):
        return False
    return may_text(number, region)


@lru_cache(maxsize=4096)
def is_mobile(number: str, region: str = "PL") -> bool:
    """Tell whether a number is a valid mobile number."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in TEXTABLE


def may_text(number: str, region: str = "PL") -> bool:
    """Tell whether texts may go to this number's country (HOTLINE_SMS_COUNTRIES), so that a
    spoofed caller ID cannot have the centre text a victim abroad or run up its bill."""
    return outbound.current().allows_sms_to(number, region)


def queue_sms(
    to: str,
    kind: str,
    body: str,
    *,
    dedupe_key: str,
    call_sid: str | None = None,
    vacancy_ids: list[int] | None = None,
    training_ids: list[int] | None = None,
) -> OutboundSms | None:
    """Store a text message once under dedupe_key and send it in the background; refuse
    (None) a number outside the allowed countries, logging the refusal but not the number."""
    if not may_text(to):
        log.warning("call %s: %s text refused: the number is outside the allowed countries",
                    call_sid, kind)  # fmt: skip
        return None
    session = db.session
    message = session.scalars(
        select(OutboundSms).where(OutboundSms.dedupe_key == dedupe_key)
    ).first()
    if message is None:
        message = OutboundSms(
            dedupe_key=dedupe_key,
            call_sid=call_sid,
            to_number=to,
            kind=kind,
            body=body[:MAX_BODY],
            vacancy_ids=vacancy_ids or [],
            training_ids=training_ids or [],
        )
        session.add(message)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return session.scalars(
                select(OutboundSms).where(OutboundSms.dedupe_key == dedupe_key)
            ).one()
        log.info("call %s: %s text queued as message %s", call_sid, kind, message.id)
        try:
            jobs.enqueue("messaging.tasks.send_sms", message.id, job_id=sms_job_id(message.id))
        except RedisError as exc:
            # Stored: the scheduler's upkeep sends it once Redis is back (requeue_unsent).
            log.warning("call %s: text %s waits for Redis: %s", call_sid, message.id, exc)
    return message


def faq_text(language: str, body: str) -> str:
    """Return an FAQ answer as the centre texts it, under its header."""
    return f"{speech.prompt(language, 'sms_faq_header')} {body}"


def sms_job_id(message_id: int) -> str:
    """Return the id of the job that sends a text message."""
    return f"sms-{message_id}"


def requeue_unsent(older_than_seconds: float = 60.0) -> int:
    """Queue again the texts of the last day still waiting to be sent whose job is gone
    (Redis was down when they were stored, or lost them); return how many."""
    now = utcnow()
    query = select(OutboundSms.id).where(
        OutboundSms.status == SmsStatus.QUEUED,
        OutboundSms.created_at < now - timedelta(seconds=older_than_seconds),
        OutboundSms.created_at > now - timedelta(days=1),
    )
    try:
        waiting = list(db.session.scalars(query))
    finally:
        db.session.rollback()
    queue = jobs.queue()
    requeued = 0
    for message_id in waiting:
        if queue.fetch_job(sms_job_id(message_id)) is None:
            jobs.enqueue("messaging.tasks.send_sms", message_id, job_id=sms_job_id(message_id))
            requeued += 1
    if requeued:
        log.warning("%s stored texts had no job; queued again", requeued)
    return requeued


def send_faq(to: str, language: str, *, call_sid: str, topic: str, body: str) -> OutboundSms | None:
    """Text the caller the answer they just heard."""
    return queue_sms(
        to, "faq", faq_text(language, body), dedupe_key=f"faq:{call_sid}:{topic}", call_sid=call_sid
    )


def vacancy_line(vacancy_id: int) -> str:
    """Return one vacancy as a short line of a text message."""
    vacancy = knowledge.vacancy(vacancy_id)
    if vacancy is None:
        return ""
    pay = "-".join(str(w) for w in (vacancy.wage_min, vacancy.wage_max) if w)
    pay = f", {pay} zł" if pay else ""
    contact = f"; {vacancy.contact}" if vacancy.contact else ""
    return f"- {vacancy.title}, {vacancy.city}{pay} (nr {vacancy.external_id}){contact}"


def apply_through(language: str, vacancy_ids: list[int]) -> str:
    """Name the offices to apply through for the texted offers that give no contact."""
    lines = []
    for vacancy_id in vacancy_ids:
        vacancy = knowledge.vacancy(vacancy_id)
        if vacancy is None or vacancy.contact:
            continue
        office = knowledge.office_card(vacancy.office_code) or knowledge.region_office_card(
            vacancy.region_code
        )
        if office is None:
            continue
        line = speech.prompt(
            language, "sms_apply_office", office=office.name, address=office.address
        )
        line += f", tel. {office.phone}" if office.phone else ""
        if line not in lines:
            lines.append(line)
    return "\n".join(lines)


def fit(header: str, items: list[str], footer: str = "", limit: int = MAX_BODY) -> str:
    """Join header, as many items as fit, and the footer within limit characters."""
    lines = [header]
    for item in items:
        if len("\n".join([*lines, item, footer])) > limit:
            break
        lines.append(item)
    if footer:
        lines.append(footer)
    return "\n".join(lines)


def vacancies_text(language: str, vacancy_ids: list[int]) -> str:
    """Return offers as the centre texts them: a line each, and where to apply."""
    header = speech.prompt(language, "sms_vacancies_header")
    footer = apply_through(language, vacancy_ids)
    return fit(header, [line for line in map(vacancy_line, vacancy_ids) if line], footer)


def send_vacancies(
    to: str, language: str, *, call_sid: str, vacancy_ids: list[int]
) -> OutboundSms | None:
    """Text the caller the offers just read out, recording which they were."""
    body = vacancies_text(language, vacancy_ids)
    key = f"vacancies:{call_sid}:{','.join(map(str, vacancy_ids))}"
    return queue_sms(
        to,
        "vacancies",
        body,
        dedupe_key=key,
        call_sid=call_sid,
        vacancy_ids=list(vacancy_ids),
    )


def send_trainings(
    to: str, language: str, *, call_sid: str, training_ids: list[int]
) -> OutboundSms | None:
    """Text the caller the training offers just read out."""
    query = select(TrainingOffer).where(TrainingOffer.id.in_(training_ids))
    courses = db.session.scalars(query.order_by(TrainingOffer.starts_on))
    items = [f"- {c.title}, {c.city}, {c.starts_on:%d.%m.%Y} (nr {c.external_id})" for c in courses]
    body = fit(speech.prompt(language, "sms_trainings_header"), items)
    key = f"trainings:{call_sid}:{','.join(map(str, training_ids))}"
    return queue_sms(
        to,
        "trainings",
        body,
        dedupe_key=key,
        call_sid=call_sid,
        training_ids=list(training_ids),
    )
