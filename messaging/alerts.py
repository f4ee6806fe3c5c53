"""Daily job alerts by text: subscribing, stopping, and matching new vacancies."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from hotline import speech
from hotline.db import db, utcnow
from hotline.jobs import jobs
from knowledge import service as knowledge
from messaging.models import JobAlert
from messaging.sms import fit, may_text, queue_sms, vacancy_line

log = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "KONIEC", "СТОП", "STOP SMS"}
ALERT_SIZE = 5
SEND_AT = time(8, 0)
DAY_SECONDS = 24 * 3600
LOCAL = ZoneInfo("Europe/Warsaw")


def active_for(number: str) -> JobAlert | None:
    """Return the number's active subscription, if any."""
    query = select(JobAlert).where(JobAlert.phone == number, JobAlert.active.is_(True))
    return db.session.scalars(query.order_by(JobAlert.id.desc())).first()


def subscribe(
    number: str,
    language: str,
    *,
    region_code: str,
    occupation: str | None,
    customer_id: int | None,
    call_sid: str,
) -> JobAlert | None:
    """Subscribe a caller for a region and occupation, replacing an older subscription;
    refuse (None) a number outside the countries texts may go to."""
    if not may_text(number):
        log.warning("call %s: job alerts refused: the number is outside the allowed countries",
                    call_sid)  # fmt: skip
        return None
    unsubscribe(number, by="replaced", commit=False)
    alert = JobAlert(
        phone=number,
        customer_id=customer_id,
        region_code=region_code,
        occupation=occupation or None,
        language=language,
        sent_vacancy_ids=[],
    )
    db.session.add(alert)
    db.session.commit()
    queue_sms(
        alert.phone,
        "alert-welcome",
        speech.prompt(language, "alerts_subscribed"),
        dedupe_key=f"alert-welcome:{alert.id}",
        call_sid=call_sid,
    )
    log.info("call %s: job alerts on for region %s", call_sid, region_code)
    return alert


def unsubscribe(number: str, by: str, commit: bool = True) -> int:
    """Stop every active subscription of a number; return how many were stopped."""
    query = select(JobAlert).where(JobAlert.phone == number, JobAlert.active.is_(True))
    stopped = 0
    for alert in db.session.scalars(query):
        alert.active, alert.stopped_at, alert.stopped_by = False, utcnow(), by
        stopped += 1
    if commit:
        db.session.commit()
    return stopped


def is_stop_request(body: str) -> bool:
    """Tell whether an incoming text asks to stop alerts."""
    return body.strip().upper().rstrip(".!") in STOP_WORDS


def handle_reply(number: str, body: str) -> str | None:
    """Act on a text sent to the hotline; return the reply to send, if any."""
    if not is_stop_request(body):
        return None
    alert = active_for(number)
    language = alert.language if alert else speech.DEFAULT_LANGUAGE
    unsubscribe(number, by="sms")
    log.info("job alerts stopped by a STOP text")
    return speech.prompt(language, "sms_stopped")


def send_due(today: date) -> int:
    """Text each active subscriber the current vacancies they have not had; once a day."""
    sent = 0
    query = select(JobAlert).where(JobAlert.active.is_(True))
    for alert in list(db.session.scalars(query)):
        if alert.last_sent_on == today:
            continue
        if not may_text(alert.phone):
            log.warning("job alert %s skipped: the number is outside the allowed countries",
                        alert.id)  # fmt: skip
            continue
        fresh = [
            vacancy
            for vacancy in knowledge.current_vacancies(
                alert.region_code,
                alert.occupation,
                0,
                200,
                today=today,
                only_matching=bool(alert.occupation),
            )
            if vacancy.id not in alert.sent_vacancy_ids
        ][:ALERT_SIZE]
        alert.last_sent_on = today
        if fresh:
            region = knowledge.region(alert.region_code)
            header = speech.prompt(
                alert.language,
                "sms_alert_header",
                region=region.name_in(alert.language) if region else alert.region_code,
            )
            footer = speech.prompt(alert.language, "sms_alert_footer")
            body = fit(header, [vacancy_line(v.id) for v in fresh], footer)
            ids = [v.id for v in fresh][: body.count("\n- ")]
            alert.sent_vacancy_ids = [*alert.sent_vacancy_ids, *ids]
            queue_sms(
                alert.phone,
                "job-alert",
                body,
                dedupe_key=f"alert:{alert.id}:{today.isoformat()}",
                vacancy_ids=ids,
            )
            sent += 1
        db.session.commit()
    log.info("job alerts for %s: %s texts", today, sent)
    return sent


def next_run(now: datetime) -> datetime:
    """Return the next morning send time after now."""
    local = now.astimezone(LOCAL)
    candidate = datetime.combine(local.date(), SEND_AT, LOCAL)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def schedule_next(now: datetime | None = None) -> str:
    """Make sure the next daily run is scheduled exactly once; return its job id."""
    when = next_run(now or datetime.now(UTC))
    job_id = f"job-alerts-{when.date().isoformat()}"
    queue = jobs.queue()
    if queue.fetch_job(job_id) is None:
        queue.enqueue_at(when, "messaging.tasks.run_job_alerts", job_id=job_id)
    return job_id


def rebuild_schedule(now: datetime | None = None) -> list[str]:
    """Schedule the daily runs from what the database says, whatever Redis still holds.

    The next morning's run is scheduled; and today's is run now if its hour has passed while
    a subscriber who was already signed up then has not had today's text (Redis lost the job,
    or nothing was scheduling at that hour). Sending is once a day per subscriber, so this
    never texts anyone twice. Return the ids of the jobs it made sure of.
    """
    now = now or datetime.now(UTC)
    made = [schedule_next(now)]
    local = now.astimezone(LOCAL)
    send_time = datetime.combine(local.date(), SEND_AT, LOCAL)
    if local < send_time:
        return made
    today = local.date()
    missed = select(JobAlert.id).where(
        JobAlert.active.is_(True),
        JobAlert.created_at < send_time.astimezone(UTC),
        or_(JobAlert.last_sent_on.is_(None), JobAlert.last_sent_on < today),
    )
    try:
        if db.session.scalars(missed.limit(1)).first() is None:
            return made
    finally:
        db.session.rollback()
    job_id = f"job-alerts-{today.isoformat()}-catch-up"
    queue = jobs.queue()
    if queue.fetch_job(job_id) is None:
        log.warning("job alerts of %s were not sent at %s; sending them now", today, SEND_AT)
        queue.enqueue(
            "messaging.tasks.send_job_alerts",
            today.isoformat(),
            job_id=job_id,
            result_ttl=DAY_SECONDS,
            failure_ttl=DAY_SECONDS,
        )
    made.append(job_id)
    return made
