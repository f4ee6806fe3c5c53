"""The screen pop: who is calling, shown on the consultant's desk as the call rings."""

from __future__ import annotations

from dataclasses import dataclass

from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from hotline.speech import DEFAULT_LANGUAGE
from routing.extension import services as routing_services


@dataclass(frozen=True)
class ScreenPop:
    """What the screen pop shows about the caller."""

    call_sid: str
    caller_number: str
    topic: str
    language: str
    customer: Customer | None
    own_customer: bool
    # How the caller was identified: by their number, by a PESEL keyed in, or not at all.
    identified_by: str = "none"
    callback: bool = False
    # A callback the customer asked of this consultant, their own advisor (key 3).
    asked_for_you: bool = False


IDENTIFIED_BY = {"phone": "number", "pesel": "pesel"}


def identification(identified_by: str, known: bool, callback: bool) -> str:
    """Say how the caller was identified: "number", "pesel" or "none".

    A call whose entry does not say (a callback, which the centre places to the customer's
    own number, or a call queued before entries said) counts as known by the number.
    """
    if not known:
        return "none"
    return IDENTIFIED_BY.get(identified_by, "number")


def screen_pop(call_sid: str, consultant: Consultant) -> ScreenPop | None:
    """Build the screen pop for a call from its queue entry."""
    if not call_sid:
        return None
    entry = routing_services().engine.entry(call_sid)
    if entry is None:
        return None
    customer = None if entry.customer_id is None else db.session.get(Customer, entry.customer_id)
    return ScreenPop(
        call_sid=call_sid,
        caller_number=entry.caller_number or "",
        topic=entry.topic or "",
        language=entry.language or DEFAULT_LANGUAGE,
        customer=customer,
        own_customer=customer is not None and customer.advisor_id == consultant.id,
        identified_by=identification(entry.identified_by, customer is not None, entry.callback),
        callback=entry.callback,
        asked_for_you=entry.pinned and entry.advisor_id == consultant.id,
    )
