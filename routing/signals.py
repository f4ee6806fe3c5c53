"""Signals routing sends so other packages can react without routing importing them."""

from __future__ import annotations

from blinker import Namespace

routing_signals = Namespace()

#: Sent with ``record`` (a CallRecord) after a call's record is stored or updated.
call_recorded = routing_signals.signal("call-recorded")

#: Sent with the call's ``LiveEntry`` and ``consultant_id`` once the network says the consultant
#: picked up a caller (or a callback's desk leg).
consultant_picked_up = routing_signals.signal("consultant-picked-up")

#: Sent with a ``routing.supervision.SupervisionEvent`` for every supervisory act on a live call
#: (a supervisor listens in, coaches, barges or leaves; a consultant raises or lowers a hand, or
#: a supervisor answers it), so that the roof can keep it on the audit trail.
supervision_event = routing_signals.signal("supervision-event")
