"""The voicemail inbox: messages callers left are listened to, acted on and logged, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from emulator.models import Recording as HeldRecording
from hotline.db import db
from recordings import voicemail as voicemails
from recordings.models import Recording
from routing.models import CallOutcome, CallRecord
from tests.agent_desk.test_desk import sign_in

LEFT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def voicemail(sid, *, number="", customer_id=None, status="completed", minutes=0, kind="voicemail"):
    call_sid = "CA" + sid.rjust(32, "0")
    db.session.add(
        CallRecord(
            call_sid=call_sid, caller_number=number, customer_id=customer_id,
            outcome=CallOutcome.VOICEMAIL, topic="benefit_documents", queued_at=LEFT,
        )
    )  # fmt: skip
    recording = Recording(
        recording_sid="RE" + sid.rjust(32, "0"), call_sid=call_sid, kind=kind,
        url="https://api.twilio.com/rec", status=status, duration_seconds=12,
        created_at=LEFT + timedelta(minutes=minutes),
    )  # fmt: skip
    db.session.add(recording)
    db.session.commit()
    return recording


def anna() -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == "anna")).one()


@pytest.fixture
def jan(demo) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.phone == "+48601000001")).one()


def test_the_inbox_holds_finished_unhandled_voicemail_oldest_first(app, jan):
    later = voicemail("2", number="+48601000001", customer_id=jan.id, minutes=5)
    first = voicemail("1", number="+48500999888")
    voicemail("3", status="in-progress")
    voicemail("4", kind="call")

    inbox = voicemails.voicemail_inbox()

    assert [item.recording.id for item in inbox] == [first.id, later.id]
    assert inbox[0].customer is None and inbox[0].caller_number == "+48500999888"
    assert inbox[1].customer.id == jan.id and inbox[1].topic == "benefit_documents"


def test_a_message_left_out_of_hours_finds_the_caller_by_number(app, jan):
    voicemail("9", number="+48601000001")  # never queued: the record has no customer

    (item,) = voicemails.voicemail_inbox()

    assert item.customer is not None and item.customer.id == jan.id


def test_handling_logs_a_contact_and_an_audit_entry_once(app, jan):
    message = voicemail("5", number="+48601000001", customer_id=jan.id)

    contact = voicemails.handle_voicemail(anna(), message.id, "follow-up", " Rang back at 10. ")

    assert (contact.customer_id, contact.channel, contact.outcome) == (
        jan.id,
        "voicemail",
        "follow-up",
    )
    assert contact.notes == "Rang back at 10." and contact.consultant_id == anna().id
    assert db.session.get(Recording, message.id).handled_by == anna().id
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voicemail.handled"))
    assert [entry.customer_id for entry in audit] == [jan.id]
    assert voicemails.voicemail_inbox() == []
    with pytest.raises(voicemails.VoicemailError, match="already been handled"):
        voicemails.handle_voicemail(anna(), message.id, "resolved", "")
    assert len(db.session.scalars(select(Contact).where(Contact.channel == "voicemail")).all()) == 1


def test_handling_needs_an_outcome(app, demo):
    message = voicemail("6")
    with pytest.raises(voicemails.VoicemailError, match="choose an outcome"):
        voicemails.handle_voicemail(anna(), message.id, "", "")
    assert db.session.get(Recording, message.id).handled_at is None


def test_the_desk_lists_plays_and_handles_voicemail(client, jan, phone_network):
    message = voicemail("7", number="+48601000001", customer_id=jan.id)
    network = phone_network.network
    held = HeldRecording(
        sid=message.recording_sid, account_sid=phone_network.config.account_sid,
        call_sid=message.call_sid, duration=3, transcript="Proszę o telefon w sprawie zasiłku",
    )  # fmt: skip
    with network.lock:
        network.recordings[held.sid] = held
    network.finish_recording(held, None, "POST")
    missing = voicemail("8")

    assert client.get("/desk/voicemail").status_code == 302, "sign in first"
    _response, token = sign_in(client)
    page = client.get("/desk/voicemail").data.decode()
    assert "Jan Wiśniewski" in page and "Nieznany dzwoniący" in page
    assert page.count("Twój klient") == 1, "Jan is Anna's customer"
    assert 'aria-label="2 czekają"' in client.get("/desk/").data.decode()

    sound = client.get(f"/desk/voicemail/{message.id}/audio")
    assert sound.status_code == 200 and sound.mimetype == "audio/wav"
    assert sound.data[:4] == b"RIFF"
    gone = client.get(f"/desk/voicemail/{missing.id}/audio")
    assert gone.status_code == 410 and "nie ma" in gone.get_data(as_text=True)
    inbox = client.get("/desk/voicemail").get_data(as_text=True)
    assert "Nie można odtworzyć nagrania tej wiadomości" in inbox, "says so, not a 0:00 player"
    assert inbox.count("<audio") == 1, "the message whose audio is gone has no player"
    assert client.get("/desk/voicemail/999999/audio").status_code == 404

    done = client.post(
        f"/desk/voicemail/{message.id}",
        data={"csrf_token": token, "outcome": "resolved", "notes": "Sent the list."},
    )
    assert done.status_code == 302 and done.location.endswith(f"/desk/customers/{jan.id}")
    record = client.get(f"/desk/customers/{jan.id}").data.decode()
    assert "Sent the list." in record
    again = client.post(
        f"/desk/voicemail/{message.id}", data={"csrf_token": token, "outcome": "resolved"}
    )
    assert again.status_code == 302
    after = client.get("/desk/voicemail").data.decode()
    assert "została już załatwiona" in after and 'aria-label="1 czeka"' in after


def consultant(login: str) -> Consultant:
    return db.session.scalars(select(Consultant).where(Consultant.login == login)).one()


def test_each_message_goes_to_the_advisor_or_else_the_team_in_the_callers_language(app, jan):
    oksana = db.session.scalars(select(Customer).where(Customer.phone == "+48601000003")).one()
    oksana.advisor_id = None  # no advisor: her office's team takes her message
    db.session.commit()
    for_anna = voicemail("21", number="+48601000001", customer_id=jan.id)
    for_team = voicemail("22", number="+48601000003", customer_id=oksana.id, minutes=1)
    stranger = voicemail("23", number="+48500111222", minutes=2)
    stranger.language = "ro"
    db.session.commit()

    def desks(login: str) -> list[tuple[int, str]]:
        someone = consultant(login)
        inbox = voicemails.voicemail_inbox(for_consultant=someone)
        return [(item.recording.id, item.desk_for(someone)) for item in inbox]

    # Anna (Warsaw, pl/en): Jan is hers; Oksana speaks Ukrainian, which Anna does not.
    assert desks("anna") == [(for_anna.id, "yours"), (for_team.id, "other"), (stranger.id, "other")]
    # Olena (Warsaw, pl/uk) is on Oksana's team and speaks her language.
    assert desks("olena")[0] == (for_team.id, "team")
    # Mihai speaks Romanian: the unknown Romanian caller's message is his team's.
    assert desks("mihai")[0] == (stranger.id, "team")
    assert dict(desks("piotr"))[for_anna.id] == "other"


def test_the_desk_inbox_puts_the_consultants_own_messages_first(client, app, jan):
    voicemail("31", number="+48500111222")
    mine = voicemail("32", number="+48601000001", customer_id=jan.id, minutes=3)
    sign_in(client, "anna")

    page = client.get("/desk/voicemail").get_data(as_text=True)

    assert page.index(f'id="voicemail-{mine.id}"') < page.index("Nieznany dzwoniący")


def test_a_played_voicemail_is_audited_and_a_handled_one_asks_for_grounds(
    client, jan, phone_network
):
    message = voicemail("9", number="+48601000001", customer_id=jan.id)
    network = phone_network.network
    held = HeldRecording(
        sid=message.recording_sid, account_sid=phone_network.config.account_sid,
        call_sid=message.call_sid, duration=3, transcript="Proszę o telefon",
    )  # fmt: skip
    with network.lock:
        network.recordings[held.sid] = held
    network.finish_recording(held, None, "POST")
    _response, token = sign_in(client, "piotr")
    # Waiting in the inbox, the message is anyone's to play and handle.
    assert client.get(f"/desk/voicemail/{message.id}/audio").status_code == 200
    played = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "voicemail.play")
    ).one()
    assert played.customer_id == jan.id and played.changes["waiting"] is True

    db.session.execute(
        Recording.__table__.update()
        .where(Recording.id == message.id)
        .values(handled_at=LEFT, handled_by=anna().id)
    )
    db.session.commit()
    # Handled by Anna, Jan's advisor, it is part of Jan's record: Piotr needs a reason.
    assert client.get(f"/desk/voicemail/{message.id}/audio").status_code == 403
    client.post(
        f"/desk/customers/{jan.id}/open",
        data={"csrf_token": token, "reason": "Jan asked me about his earlier message."},
    )
    assert client.get(f"/desk/voicemail/{message.id}/audio").status_code == 200
    db.session.expire_all()
    plays = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "voicemail.play"))
    assert [entry.changes["waiting"] for entry in plays] == [True, False]
