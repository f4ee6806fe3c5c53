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
    callback: bool = False
    # A callback the customer asked of this consultant, their own advisor (key 3).
    asked_for_you: bool = False


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
        callback=entry.callback,
        asked_for_you=entry.pinned and entry.advisor_id == consultant.id,
    )
