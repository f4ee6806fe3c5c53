"""Twilio's JSON for the network's calls, queues, conferences, messages and recordings.

Each function returns the values the emulator knows; the REST layer then shapes them by
the response schema, so every property the description names is present (null if unknown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import phonenumbers

from emulator.models import (
    Call,
    Conference,
    Message,
    Participant,
    Queue,
    QueueMember,
    Recording,
    rfc2822,
)

API_ROOT = "/2010-04-01/Accounts"
DEFAULT_PAGE_SIZE = 50


def formatted(number: str) -> str:
    """Return a number as Twilio shows it in *_formatted fields."""
    if not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def call_uri(call: Call) -> str:
    """Return the REST path of a call."""
    return f"{API_ROOT}/{call.account_sid}/Calls/{call.sid}.json"


def call_resource(call: Call) -> dict[str, Any]:
    """Describe a call as Twilio's Call resource."""
    base = f"{API_ROOT}/{call.account_sid}/Calls/{call.sid}"
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.created_at),
        "date_updated": rfc2822(call.updated_at),
        "parent_call_sid": call.parent_call_sid,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": formatted(call.to),
        "from": call.from_,
        "from_formatted": formatted(call.from_),
        "status": call.status,
        "start_time": rfc2822(call.answered_at),
        "end_time": rfc2822(call.ended_at),
        "duration": str(call.duration) if call.is_final else None,
        "price_unit": "USD",
        "direction": call.direction,
        "api_version": "2010-04-01",
        "queue_time": str(call.queue_time * 1000),
        "uri": call_uri(call),
        "subresource_uris": {
            "recordings": f"{base}/Recordings.json",
            "notifications": f"{base}/Notifications.json",
            "events": f"{base}/Events.json",
        },
    }


def queue_resource(queue: Queue, account_sid: str) -> dict[str, Any]:
    """Describe a queue as Twilio's Queue resource."""
    return {
        "sid": queue.sid,
        "account_sid": account_sid,
        "friendly_name": queue.friendly_name,
        "current_size": len(queue.members),
        "max_size": queue.max_size,
        "average_wait_time": queue.average_wait_time,
        "date_created": rfc2822(queue.created_at),
        "date_updated": rfc2822(queue.updated_at),
        "uri": f"{API_ROOT}/{account_sid}/Queues/{queue.sid}.json",
    }


def member_resource(
    queue: Queue, member: QueueMember, position: int, account_sid: str
) -> dict[str, Any]:
    """Describe a waiting caller as Twilio's Queue Member resource."""
    return {
        "call_sid": member.call_sid,
        "queue_sid": queue.sid,
        "date_enqueued": rfc2822(member.enqueued_at),
        "position": position,
        "wait_time": member.wait_time(),
        "uri": f"{API_ROOT}/{account_sid}/Queues/{queue.sid}/Members/{member.call_sid}.json",
    }


PARTICIPANT_STATUS_OF_CALL = {"queued": "queued", "ringing": "ringing", "in-progress": "connecting"}


def conference_resource(conference: Conference) -> dict[str, Any]:
    """Describe a conference as Twilio's Conference resource."""
    base = f"{API_ROOT}/{conference.account_sid}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid,
        "date_created": rfc2822(conference.created_at),
        "date_updated": rfc2822(conference.updated_at),
        "api_version": "2010-04-01",
        "friendly_name": conference.friendly_name,
        "region": "us1",
        "sid": conference.sid,
        "status": conference.status,
        "uri": f"{base}.json",
        "subresource_uris": {
            "participants": f"{base}/Participants.json",
            "recordings": f"{base}/Recordings.json",
        },
        "reason_conference_ended": conference.reason_ended,
        "call_sid_ending_conference": conference.call_sid_ending,
    }


def participant_resource(
    conference: Conference, participant: Participant, call: Call | None
) -> dict[str, Any]:
    """Describe a participant as Twilio's Conference Participant resource."""
    if participant.connected:
        status = "connected"
    elif participant.left is not None:
        status = "complete"
    else:
        status = PARTICIPANT_STATUS_OF_CALL.get(call.status if call else "", "failed")
    return {
        "account_sid": conference.account_sid,
        "call_sid": participant.call_sid,
        "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach,
        "coaching": participant.coaching,
        "conference_sid": conference.sid,
        "date_created": rfc2822(participant.created_at),
        "date_updated": rfc2822(participant.updated_at),
        "end_conference_on_exit": participant.end_conference_on_exit,
        "muted": participant.muted,
        "hold": participant.hold,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "status": status,
        "uri": (
            f"{API_ROOT}/{conference.account_sid}/Conferences/{conference.sid}"
            f"/Participants/{participant.call_sid}.json"
        ),
    }


def message_resource(message: Message) -> dict[str, Any]:
    """Describe an SMS as Twilio's Message resource."""
    base = f"{API_ROOT}/{message.account_sid}/Messages/{message.sid}"
    return {
        "sid": message.sid,
        "account_sid": message.account_sid,
        "body": message.body,
        "num_segments": str(message.num_segments),
        "num_media": "0",
        "direction": "outbound-api",
        "from": message.from_,
        "to": message.to,
        "messaging_service_sid": message.messaging_service_sid,
        "status": message.status,
        "date_created": rfc2822(message.created_at),
        "date_updated": rfc2822(message.updated_at),
        "date_sent": rfc2822(message.sent_at),
        "price_unit": "USD",
        "api_version": "2010-04-01",
        "uri": f"{base}.json",
        "subresource_uris": {"media": f"{base}/Media.json", "feedback": f"{base}/Feedback.json"},
    }


def recording_resource(recording: Recording, media_url: str) -> dict[str, Any]:
    """Describe a recording as Twilio's Recording resource."""
    base = f"{API_ROOT}/{recording.account_sid}/Recordings/{recording.sid}"
    return {
        "sid": recording.sid,
        "account_sid": recording.account_sid,
        "call_sid": recording.call_sid,
        "api_version": "2010-04-01",
        "date_created": rfc2822(recording.created_at),
        "date_updated": rfc2822(recording.updated_at),
        "start_time": rfc2822(recording.start_time),
        "duration": str(recording.duration),
        "price_unit": "USD",
        "status": recording.status,
        "channels": recording.channels,
        "source": recording.source,
        "conference_sid": recording.conference_sid,
        "track": "both",
        "uri": f"{base}.json",
        "media_url": media_url,
        "subresource_uris": {
            "transcriptions": f"{base}/Transcriptions.json",
            "add_on_results": f"{base}/AddOnResults.json",
        },
    }


def page(
    key: str,
    items: Sequence[Mapping[str, Any]],
    path: str,
    query: Mapping[str, Any],
) -> dict[str, Any]:
    """Return one page of a list in Twilio's paging format."""
    page_size = int(query.get("PageSize", DEFAULT_PAGE_SIZE))
    number = int(query.get("Page", 0))
    filters = {
        name: value
        for name, value in query.items()
        if name not in ("PageSize", "Page", "PageToken") and not isinstance(value, list)
    }

    def page_uri(index: int) -> str:
        return f"{path}?{urlencode(filters | {'PageSize': page_size, 'Page': index})}"

    start = number * page_size
    chunk = list(items[start : start + page_size])
    has_next = start + page_size < len(items)
    return {
        key: chunk,
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(number + 1) if has_next else None,
        "previous_page_uri": page_uri(number - 1) if number > 0 else None,
        "page": number,
        "page_size": page_size,
        "start": start,
        "end": start + max(0, len(chunk) - 1),
        "uri": page_uri(number),
    }
