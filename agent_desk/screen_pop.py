"""The screen pop: who is calling, shown on the consultant's desk as the call rings."""

from __future__ import annotations

from dataclasses import dataclass

from agent_desk.errors import DeskError
from consultants.models import Consultant
from customers.contacts import ensure_contact
from customers.models import Customer
from hotline.db import db
from routing import service as routing


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
    entry = routing.engine().entry(call_sid)
    if not entry:
        return None
    customer_id = entry.get("customer_id")
    customer = db.session.get(Customer, int(customer_id)) if customer_id else None
    return ScreenPop(
        call_sid=call_sid,
        caller_number=entry.get("caller_number", ""),
        topic=entry.get("topic", ""),
        language=entry.get("language", "pl"),
        customer=customer,
        own_customer=customer is not None and customer.advisor_id == consultant.id,
        callback=entry.get("callback") == "1",
        asked_for_you=entry.get("pinned") == "1" and entry.get("advisor_id") == str(consultant.id),
    )


def call_answered(consultant: Consultant, call_sid: str) -> None:
    """Note that the consultant picked up, and open the contact on the customer's record."""
    engine = routing.engine()
    if engine.consultant(consultant.id).get("call_sid") != call_sid:
        raise DeskError("that call is not offered to you")
    engine.connected(call_sid, consultant.id)
    entry = engine.entry(call_sid)
    ensure_contact(
        call_sid,
        consultant_id=consultant.id,
        customer_id=int(entry["customer_id"]) if entry.get("customer_id") else None,
        caller_number=entry.get("caller_number", ""),
        topic=entry.get("topic") or None,
        channel="callback" if entry.get("callback") == "1" else "phone",
    )
