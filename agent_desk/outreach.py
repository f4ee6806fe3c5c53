"""A consultant reaching a customer from the desk: a text (the document list or vacancies) or
a call placed with one click.

A click-to-call rings the consultant's own phone first (their softphone or desk phone), so a
customer never picks up to silence. When the network says the consultant answered, the customer
is rung into a conference room named as every call's room is (``call-<the consultant's
CallSid>``, routing.twiml), the consultant joins it, and the two talk across the same bridge an
incoming call uses. While the call lasts the consultant is "not ready" (calling a customer), so
the router offers them no caller; when their phone hangs up they are back where they were.

Each text and each call is a contact on the customer's record and an entry in the audit trail.
The network's reports (answered, not answered, busy) come to signed webhooks, may come twice,
late or out of order, and never move a call's result backwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import phonenumbers
from flask_babel import gettext as _
from sqlalchemy import select, update
from twilio.twiml.voice_response import VoiceResponse

from agent_desk.errors import DeskError
from agent_desk.history import desk_text_key
from consultants.models import Consultant
from customers.audit import audit
from customers.models import Contact, Customer
from hotline import speech
from hotline.db import db, utcnow
from hotline.settings import Settings
from hotline.telephony import FINAL_CALL_STATUSES, TelephonyError, telephony
from knowledge import service as knowledge
from messaging import sms
from routing import service as routing
from routing import twiml
from routing.extension import services as routing_services
from routing.live import ConsultantState

log = logging.getLogger(__name__)

# The desk's Twilio webhooks for a click-to-call (under the desk blueprint's /desk).
PREFIX = "/outreach"
ANSWERED = PREFIX + "/answered"
SCREENED = PREFIX + "/screened"
CONSULTANT_STATUS = PREFIX + "/consultant-status"
CUSTOMER_STATUS = PREFIX + "/customer-status"
# The reason the board and the desk show while a consultant is calling a customer.
CALLING_REASON = "outbound-call"
# What the desk can text a customer, with the topic its contact is logged under.
TEXT_TOPICS = {"documents": "benefit_documents", "vacancies": "vacancies"}
# How many offers a text carries: as many as the IVR reads at a time.
VACANCIES_IN_A_TEXT = 3
# How long the customer's phone rings.
CUSTOMER_RING_SECONDS = 30
# The consultant's state before a click-to-call, to go back to after it (kept in Redis).
BEFORE_KEY = "desk:outreach:{}"
BEFORE_TTL_SECONDS = 24 * 3600
# The customer's call, to end it if the consultant hangs up while it still rings.
CUSTOMER_LEG_KEY = "desk:outreach:customer-leg:{}"
# How long a desk phone's answerer has to press 1 (a voicemail box presses nothing).
SCREEN_SECONDS = 8
# How long placing a call may take before a call without a sid is taken for a dead one.
PLACING_SECONDS = timedelta(minutes=2)
# Results no later report replaces; "answered" is replaced only by nothing.
FINAL_RESULTS = frozenset({"answered", "no-answer", "busy", "failed", "canceled", "missed"})
# How a call the network never connected ended (Call resource's status values).
UNREACHED = frozenset({"no-answer", "busy", "failed", "canceled"})


@dataclass(frozen=True)
class Reach:
    """Whom a consultant reaches and how to speak to them: from a record or a voicemail."""

    number: str
    customer: Customer | None
    language: str
    topic: str | None = None


def reach_customer(customer: Customer) -> Reach:
    """Return how to reach a customer from their record."""
    return Reach(customer.phone or "", customer, customer.preferred_language)


def answered_url(contact_id: int) -> str:
    """Return what the consultant's phone fetches once answered."""
    return f"/desk{ANSWERED}?contact={contact_id}"


def screened_url(contact_id: int) -> str:
    """Return where the key pressed on a desk phone's screening prompt goes."""
    return f"/desk{SCREENED}?contact={contact_id}"


def consultant_status_url(contact_id: int) -> str:
    """Return where the consultant's phone reports its progress."""
    return f"/desk{CONSULTANT_STATUS}?contact={contact_id}"


def customer_status_url(contact_id: int) -> str:
    """Return where the customer's phone reports its progress."""
    return f"/desk{CUSTOMER_STATUS}?contact={contact_id}"


# Texts ---------------------------------------------------------------------------------


def text_body(template: str, reach: Reach) -> tuple[str, list[int]]:
    """Return a text of a template in the customer's language, and the offers it carries."""
    if template == "documents":
        answer = knowledge.spoken_answer("benefit_documents", reach.language)
        if answer is None or not answer.sms_body:
            raise DeskError(_("There is no document list to text in the customer's language."))
        return sms.faq_text(reach.language, answer.sms_body), []
    if template == "vacancies":
        region = customers_region(reach.customer)
        if region is None:
            raise DeskError(_("The customer's office is not known, so neither is their region."))
        offers = knowledge.current_vacancies(region, None, 0, VACANCIES_IN_A_TEXT)
        if not offers:
            raise DeskError(_("There are no current vacancies in the customer's region."))
        ids = [offer.id for offer in offers]
        return sms.vacancies_text(reach.language, ids), ids
    raise DeskError(_("Choose what to text: the document list or the vacancies."))


def customers_region(customer: Customer | None) -> str | None:
    """Return the region of the customer's office, whose offers the IVR would read them."""
    card = knowledge.office_card(customer.office_code) if customer else None
    return card.region_code if card else None


def check_textable(number: str) -> None:
    """Refuse a number a text cannot go to, saying why."""
    if not number:
        raise DeskError(_("There is no phone number to text."))
    if not sms.is_mobile(number):
        raise DeskError(_("That number is not a mobile number, so it cannot take a text."))
    if not sms.may_text(number):
        raise DeskError(_("Texts may not go to that number's country."))


def send_text(consultant: Consultant, template: str, reach: Reach) -> Contact:
    """Text the customer the document list or the vacancies; log it as a contact, audited.

    The contact is kept first, then the text is queued under the contact's own key, so that
    the history always shows it with how the sending went.
    """
    check_textable(reach.number)
    body, vacancy_ids = text_body(template, reach)
    now = utcnow()
    customer_id = reach.customer.id if reach.customer else None
    with db.transaction() as session:
        contact = Contact(
            consultant_id=consultant.id,
            customer_id=customer_id,
            caller_number=reach.number,
            channel="sms",
            topic=TEXT_TOPICS[template],
            started_at=now,
            ended_at=now,
            wrapped_up_at=now,
        )
        session.add(contact)
        session.flush()
        audit(consultant.id, customer_id, "contact.sms", {"contact_id": contact.id,
                                                          "topic": contact.topic})  # fmt: skip
    kind = "faq" if template == "documents" else "vacancies"
    message = sms.queue_sms(
        reach.number, kind, body, dedupe_key=desk_text_key(contact.id), vacancy_ids=vacancy_ids
    )
    if message is None:
        raise DeskError(_("Texts may not go to that number's country."))
    log.info("consultant %s texted contact %s (%s)", consultant.id, contact.id, template)
    return contact


# Calls ---------------------------------------------------------------------------------


def callable_number(number: str, settings: Settings) -> str:
    """Return a number in E.164 form if the centre may call it: a real number of a country
    the centre calls (its outside countries) or texts (its callers' countries)."""
    if not number:
        raise DeskError(_("There is no phone number to call."))
    try:
        parsed = phonenumbers.parse(number, "PL")
    except phonenumbers.NumberParseException as exc:
        raise DeskError(_("That is not a phone number.")) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise DeskError(_("That is not a phone number."))
    countries = {c.upper() for c in (*settings.outside_countries, *settings.sms_countries)}
    if phonenumbers.region_code_for_number(parsed) not in countries:
        raise DeskError(_("The centre does not call numbers in that country."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def call_customer(consultant: Consultant, reach: Reach, settings: Settings) -> Contact:
    """Ring the consultant's phone; once they answer, the customer is rung into their room.

    A consultant on a call or being rung cannot start one; one whose phone cannot be rung is
    told so, and goes back to the state they were in.
    """
    number = callable_number(reach.number, settings)
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    if live.state in (ConsultantState.RINGING, ConsultantState.ON_CALL):
        raise DeskError(_("Finish the current call first."))
    before = BEFORE_KEY.format(consultant.id)
    if not engine.redis.hsetnx(before, "state", str(live.state)):
        going = current_call(consultant, live.reason)
        if going is not None and still_on_the_network(going):
            raise DeskError(_("You are already calling someone."))
        # A call whose end was never reported left its mark: close it, and begin this one.
        log.warning("consultant %s: a click-to-call's end was never reported", consultant.id)
        if going is not None:
            consultant_progress(going.id, "completed")
            live = engine.consultant(consultant.id)
        engine.redis.hset(before, "state", str(live.state))
    engine.redis.hset(before, "reason", live.reason or "")
    engine.redis.expire(before, BEFORE_TTL_SECONDS)
    routing.set_consultant_state(
        engine, consultant, ConsultantState.NOT_READY, reason=CALLING_REASON
    )
    customer_id = reach.customer.id if reach.customer else None
    with db.transaction() as session:
        contact = Contact(
            consultant_id=consultant.id,
            customer_id=customer_id,
            caller_number=number,
            channel="outbound-call",
            topic=reach.topic,
            result="calling-you",
        )
        session.add(contact)
        session.flush()
        contact_id = contact.id
        audit(consultant.id, customer_id, "call.outbound", {"contact_id": contact_id})
    base = settings.public_url
    try:
        leg = telephony.current().place_call(
            routing.consultant_profile(consultant).address,
            base + answered_url(contact_id),
            status_callback=base + consultant_status_url(contact_id),
            events=("answered", "completed"),
            timeout=settings.ring_timeout_seconds,
        )
    except TelephonyError as exc:
        log.warning("consultant %s: click-to-call could not ring them: %s", consultant.id, exc)
        finish(contact_id, "failed")
        back_to_before(consultant.id)
        raise DeskError(_("The phone network could not ring your phone; try again.")) from exc
    with db.transaction() as session:
        placed = session.get(Contact, contact_id)
        assert placed is not None
        placed.call_sid = leg
    log.info("call %s: consultant %s rung to call a customer", leg, consultant.id)
    return placed


def still_on_the_network(contact: Contact) -> bool:
    """Tell whether the consultant's leg of a click-to-call is still going, by asking the
    network (a report of its end may have been lost)."""
    if not contact.call_sid:
        # Being placed right now, unless its placing died long ago.
        return utcnow() - _aware(contact.started_at) < PLACING_SECONDS
    try:
        status = telephony.current().call_status(contact.call_sid)
    except TelephonyError:
        return True  # cannot tell: better refuse than ring the consultant twice
    return status is not None and status not in FINAL_CALL_STATUSES


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_call(consultant: Consultant, live_reason: str) -> Contact | None:
    """Return the consultant's click-to-call still going, if they are making one now."""
    if live_reason != CALLING_REASON:
        return None
    query = (
        select(Contact)
        .where(
            Contact.consultant_id == consultant.id,
            Contact.channel == "outbound-call",
            Contact.ended_at.is_(None),
            Contact.result.in_(("calling-you", "dialling", "answered")),
        )
        .order_by(Contact.id.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def finish(contact_id: int, result: str, *, unless: frozenset[str] = FINAL_RESULTS) -> bool:
    """Set the result of a call that never reached the customer and end it, unless it
    already has a result in unless; with nobody spoken to, there is nothing to wrap up."""
    with db.transaction() as session:
        changed = session.execute(
            update(Contact)
            .where(
                Contact.id == contact_id,
                Contact.result.is_(None) | Contact.result.not_in(unless),
            )
            .values(result=result, ended_at=utcnow(), wrapped_up_at=utcnow())
        )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def back_to_before(consultant_id: int) -> None:
    """Put a consultant back in the state they had before calling, once however often asked."""
    engine = routing_services().engine
    before = BEFORE_KEY.format(consultant_id)
    saved = {
        (k.decode() if isinstance(k, bytes) else str(k)): (
            v.decode() if isinstance(v, bytes) else str(v)
        )
        for k, v in engine.redis.hgetall(before).items()
    }
    if not saved or not engine.redis.delete(before):
        return
    live = engine.consultant(consultant_id)
    if live.state != ConsultantState.NOT_READY or live.reason != CALLING_REASON:
        return  # they chose another state meanwhile, or a call reached them
    consultant = db.session.get(Consultant, consultant_id)
    if consultant is None:
        return
    state = ConsultantState(saved["state"])
    reason = saved.get("reason", "")
    routing.set_consultant_state(engine, consultant, state, reason=reason)


def screen(contact_id: int) -> VoiceResponse:
    """Ask whoever answered a desk phone to press 1, so that its voicemail box, which presses
    nothing, does not have the customer rung."""
    return twiml.press_one(screened_url(contact_id), "outreach_screen", SCREEN_SECONDS)


def screened(contact_id: int, leg_sid: str, digits: str, settings: Settings) -> VoiceResponse:
    """Ring the customer once the desk phone's answerer pressed 1; otherwise end the call."""
    if digits == "1":
        return consultant_answered(contact_id, leg_sid, settings, screened=True)
    finish(contact_id, "missed", unless=FINAL_RESULTS | {"dialling"})
    return twiml.consultant_message("outreach_declined")


def consultant_answered(
    contact_id: int, leg_sid: str, settings: Settings, *, screened: bool = False
) -> VoiceResponse:
    """The consultant picked up: ring the customer into the room and bring the consultant in
    (a desk phone, once whoever answered it has pressed 1).

    Twilio may fetch this twice; the customer is rung once, and a repeat only rejoins.
    """
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.consultant_id is None:
        return twiml.consultant_message("outreach_over")
    address = routing_services().engine.consultant(contact.consultant_id).address
    if not screened and contact.result == "calling-you" and routing.is_desk_phone(address):
        return screen(contact_id)
    room = twiml.room(contact.call_sid or leg_sid)
    with db.transaction() as session:
        claimed = session.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.result == "calling-you")
            .values(result="dialling", started_at=utcnow())
        )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        if contact.result in ("dialling", "answered"):
            return twiml.consultant_room(contact.call_sid or leg_sid, contact.consultant_id)
        return twiml.consultant_message("outreach_over")
    try:
        customer_leg = telephony.call_control().dial_into_room(
            room,
            contact.caller_number or "",
            label=twiml.CALLER_LABEL,
            status_callback=settings.public_url + customer_status_url(contact_id),
            timeout=CUSTOMER_RING_SECONDS,
            ends_room=True,
        )
    except TelephonyError as exc:
        log.warning("call %s: the customer could not be rung: %s", leg_sid, exc)
        finish(contact_id, "failed")
        return twiml.consultant_message("customer_unreachable")
    redis = routing_services().engine.redis
    redis.set(CUSTOMER_LEG_KEY.format(contact_id), customer_leg, ex=BEFORE_TTL_SECONDS)
    log.info("call %s: customer rung into %s", leg_sid, room)
    return twiml.consultant_room(contact.call_sid or leg_sid, contact.consultant_id)


def customer_progress(contact_id: int, status: str) -> None:
    """Hear how the customer's phone is doing: answered, ended, or never reached."""
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        return
    if status in ("in-progress", "answered"):
        finish_answered = update(Contact).where(
            Contact.id == contact_id, Contact.result == "dialling"
        )
        with db.transaction() as session:
            session.execute(finish_answered.values(result="answered"))
        return
    if status == "completed":
        with db.transaction() as session:
            session.execute(
                update(Contact)
                .where(Contact.id == contact_id, Contact.result.in_(["dialling", "answered"]))
                .values(result="answered")
            )
            session.execute(
                update(Contact)
                .where(Contact.id == contact_id, Contact.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
        return
    if status in UNREACHED and finish(contact_id, status):
        log.info("call %s: the customer was not reached (%s)", contact.call_sid, status)
        if contact.call_sid:
            routing.stop_ringing(contact.call_sid)  # end the consultant's lonely room


def consultant_progress(contact_id: int, status: str) -> None:
    """Hear how the consultant's phone is doing; once it hangs up, they are back as before."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.consultant_id is None:
        return
    if status in ("in-progress", "answered", "ringing", "queued", "initiated"):
        return
    finish(contact_id, "missed", unless=FINAL_RESULTS | {"dialling"})
    db.session.refresh(contact)
    if contact.result == "dialling":
        # They hung up while the customer's phone still rang: it must not ring on into a
        # room nobody is in (its own report then says how it ended).
        customer_leg = routing_services().engine.redis.get(CUSTOMER_LEG_KEY.format(contact_id))
        if customer_leg:
            routing.stop_ringing(
                customer_leg.decode() if isinstance(customer_leg, bytes) else str(customer_leg)
            )
    with db.transaction() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == contact_id, Contact.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    back_to_before(contact.consultant_id)


def apology(_call_sid: str | None) -> VoiceResponse:
    """Tell the consultant the call could not go on (the webhooks' fallback)."""
    response = VoiceResponse()
    language = twiml.CONSULTANT_LANGUAGE
    speech.say(response, language, speech.prompt(language, "apology"))
    response.hangup()
    return response
