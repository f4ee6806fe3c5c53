"""The desk's routes for reaching a customer: text them or call them from their record or a
voicemail, and the Twilio webhooks of a click-to-call."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from agent_desk import i18n, outreach, records
from agent_desk.errors import DeskError
from agent_desk.views import bp, refuse_record
from hotline.access import Permission, requires
from hotline.settings import Settings
from hotline.webhooks import twilio_webhook
from recordings.voicemail import unhandled_voicemail
from routing import twiml


def _settings() -> Settings:
    return current_app.extensions["hotline.settings"]  # type: ignore[no-any-return]


def _reached(action: str, reach: outreach.Reach, back: str) -> Any:
    """Text or call as the form asks, then go back with what happened, in words."""
    try:
        if action == "call":
            outreach.call_customer(g.consultant, reach, _settings())
            flash(_("Your phone is ringing: answer it, and the customer is called."), "ok")
        else:
            outreach.send_text(g.consultant, request.form.get("template", ""), reach)
            flash(_("The text is on its way; the history shows when it is sent."), "ok")
    except DeskError as exc:
        flash(i18n.refusal_text(exc), "error")
    return redirect(back)


@bp.post("/customers/<int:customer_id>/text")
@requires(Permission.CUSTOMER_RECORDS)
def text_customer(customer_id: int) -> Any:
    """Text a customer the document list or the vacancies in their region."""
    return _from_record(customer_id, "text")


@bp.post("/customers/<int:customer_id>/call")
@requires(Permission.CUSTOMER_RECORDS)
def call_customer(customer_id: int) -> Any:
    """Call a customer: the consultant's phone rings first, then the customer's."""
    return _from_record(customer_id, "call")


def _from_record(customer_id: int, action: str) -> Any:
    record = records.customer_or_none(customer_id) or abort(404)
    try:
        records.require_grounds(g.consultant, record)
    except records.RecordRefused:
        return refuse_record(customer_id)
    back = url_for("desk.customer", customer_id=customer_id)
    return _reached(action, outreach.reach_customer(record), back)


@bp.post("/voicemail/<int:recording_id>/text")
@requires(Permission.VOICEMAIL)
def text_voicemail_caller(recording_id: int) -> Any:
    """Text the caller who left a voicemail the document list or the vacancies."""
    return _from_voicemail(recording_id, "text")


@bp.post("/voicemail/<int:recording_id>/call")
@requires(Permission.VOICEMAIL)
def call_voicemail_caller(recording_id: int) -> Any:
    """Call back the caller who left a voicemail."""
    return _from_voicemail(recording_id, "call")


def _from_voicemail(recording_id: int, action: str) -> Any:
    item = unhandled_voicemail(recording_id)
    back = url_for("desk.voicemail")
    if item is None:
        flash(_("That voicemail has already been handled."), "error")
        return redirect(url_for("desk.voicemail"))
    customer = item.customer
    reach = outreach.Reach(
        number=item.caller_number or (customer.phone if customer else "") or "",
        customer=customer,
        language=item.language or (customer.preferred_language if customer else "pl"),
        topic=item.topic,
    )
    return _reached(action, reach, back)


def _contact_id() -> int:
    return int(request.args["contact"])


@bp.post(outreach.ANSWERED)
@twilio_webhook(fallback=outreach.apology)
def outreach_answered() -> VoiceResponse:
    """The consultant answered their click-to-call: ring the customer into their room."""
    return outreach.consultant_answered(_contact_id(), request.form.get("CallSid", ""), _settings())


@bp.post(outreach.SCREENED)
@twilio_webhook(fallback=outreach.apology)
def outreach_screened() -> VoiceResponse:
    """The answerer of a desk phone pressed a key: 1 rings the customer."""
    return outreach.screened(
        _contact_id(), request.form.get("CallSid", ""), request.form.get("Digits", ""), _settings()
    )


@bp.post(outreach.CONSULTANT_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def outreach_consultant_status() -> VoiceResponse:
    """Hear how the consultant's phone is doing in a click-to-call."""
    outreach.consultant_progress(_contact_id(), request.form.get("CallStatus", ""))
    return twiml.empty()


@bp.post(outreach.CUSTOMER_STATUS)
@twilio_webhook(fallback=lambda _sid: twiml.empty())
def outreach_customer_status() -> VoiceResponse:
    """Hear how the customer's phone is doing in a click-to-call."""
    outreach.customer_progress(_contact_id(), request.form.get("CallStatus", ""))
    return twiml.empty()
