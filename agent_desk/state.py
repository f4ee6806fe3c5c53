"""The consultant's state at the desk: available, on a break or offline, and the call now."""

from __future__ import annotations

from agent_desk import call_control, outreach
from agent_desk.errors import DeskError
from agent_desk.glance import glance
from agent_desk.labels import label
from agent_desk.screen_pop import screen_pop
from consultants.models import Consultant
from customers.models import Contact, Customer
from customers.service import mask_pesel
from hotline.settings import Settings
from routing import service as routing
from routing.engine import RoutingEngine
from routing.extension import services as routing_services
from routing.live import ConsultantState, LiveConsultant
from routing.supervision import Supervisor

DESK_STATES = {
    "available": ConsultantState.AVAILABLE,
    "break": ConsultantState.BREAK,
    "not-ready": ConsultantState.NOT_READY,
    "offline": ConsultantState.OFFLINE,
}


def reasons_for(settings: Settings, state: ConsultantState) -> tuple[str, ...]:
    """Return the reasons the office offers for a break or for not being ready (none else)."""
    if state == ConsultantState.BREAK:
        return settings.break_reasons
    if state == ConsultantState.NOT_READY:
        return settings.not_ready_reasons
    return ()


def change_state(
    consultant: Consultant, state_name: str, reason: str = "", settings: Settings | None = None
) -> None:
    """Set the consultant available, on a break, not ready or offline; a break and not ready
    take a reason from the office's list (settings), which the board and the desk show."""
    state = DESK_STATES.get(state_name)
    if state is None:
        raise DeskError(f"unknown state {state_name!r}")
    offered = reasons_for(settings, state) if settings is not None else ()
    if offered:
        if not reason:
            raise DeskError(
                "choose a reason for the break"
                if state == ConsultantState.BREAK
                else "choose a reason for not being ready"
            )
        if reason not in offered:
            raise DeskError("that reason is not on the office's list")
    elif settings is not None:
        reason = ""
    engine = routing_services().engine
    current = engine.consultant(consultant.id).state
    if current in (ConsultantState.RINGING, ConsultantState.ON_CALL):
        raise DeskError("finish the current call first")
    if current == ConsultantState.WRAP_UP and state == ConsultantState.AVAILABLE:
        raise DeskError("fill in the wrap-up form first")
    if state == ConsultantState.AVAILABLE and Supervisor(routing_services()).supervising(
        consultant.id
    ):
        raise DeskError("leave the colleague's call you are in first")
    routing.set_consultant_state(engine, consultant, state, reason=reason)


def at_desk(consultant: Consultant, signed_in: bool = True) -> None:
    """Note that the consultant is using the desk (or has just signed out of it)."""
    routing.consultant_at_desk(routing_services().engine, consultant, signed_in)


def wrap_up_left(engine: RoutingEngine, live: LiveConsultant) -> float | None:
    """Return how long is left of a consultant's timed wrap-up (None when not wrapping up or
    wrap-up is not timed)."""
    if live.state != ConsultantState.WRAP_UP or live.since is None or engine.wrap_up_seconds <= 0:
        return None
    return max(0.0, live.since + engine.wrap_up_seconds - engine.clock())


def desk_state(consultant: Consultant) -> dict[str, object]:
    """Return the consultant's live state and, during a call, who is calling."""
    engine = routing_services().engine
    live = engine.consultant(consultant.id)
    state: dict[str, object] = {
        "state": live.state,
        "state_label": label("state", live.state),
        "reason": live.reason,
        "reason_label": label("reason", live.reason),
        "since": live.since or 0.0,
        "call": None,
        # Seconds left of a timed wrap-up, by the centre's clock (the routing timer ends it).
        "wrap_up_left": wrap_up_left(engine, live),
    }
    card = screen_pop(live.call_sid or "", consultant)
    entry = routing_services().engine.entry(card.call_sid) if card is not None else None
    if card is not None:
        customer = card.customer
        state["call"] = {
            "call_sid": card.call_sid,
            "caller_number": card.caller_number,
            "topic": card.topic,
            "topic_label": label("topic", card.topic),
            "language": card.language,
            "language_label": label("language", card.language),
            "own_customer": card.own_customer,
            "identified_by": card.identified_by,
            "callback": card.callback,
            "asked_for_you": card.asked_for_you,
            "transferred": call_control.handed_over(entry, consultant) if entry else None,
            "glance": glance(entry, consultant, customer).as_dict() if entry else None,
            "customer": customer_card(customer),
        }
    elif (calling := outreach.current_call(consultant, live.reason)) is not None:
        state["call"] = outbound_call(calling)
    return state


def customer_card(customer: Customer | None) -> dict[str, object] | None:
    """Describe the customer on a call for the desk: masked PESEL, office in words, flags."""
    if customer is None:
        return None
    return {
        "id": customer.id,
        "name": customer.full_name,
        "pesel": mask_pesel(customer.pesel),
        "address": customer.address or "",
        "office": label("office", customer.office_code),
        "vulnerable": customer.vulnerable,
        "safeguarding": customer.safeguarding,
        "url": f"/desk/customers/{customer.id}",
    }


def outbound_call(contact: Contact) -> dict[str, object]:
    """Describe the consultant's own call to a customer, for the desk and the softphone."""
    customer = contact.customer
    return {
        "call_sid": contact.call_sid,
        "caller_number": contact.caller_number,
        "topic": contact.topic,
        "topic_label": label("topic", contact.topic),
        "language": customer.preferred_language if customer else None,
        "language_label": label("language", customer.preferred_language) if customer else "",
        "own_customer": customer is not None and customer.advisor_id == contact.consultant_id,
        "identified_by": "number" if customer else "none",
        "callback": False,
        "outbound": True,
        "asked_for_you": False,
        "transferred": None,
        "customer": customer_card(customer),
    }
