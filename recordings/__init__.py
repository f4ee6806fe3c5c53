"""Recordings made on the hotline: voicemail, and consultant calls recorded with notice.

What Twilio offers for a call that meets in a conference room, and what the centre uses
(sources and the emulator's side in emulator/BEHAVIOUR.md, "Recording a conference"):

- **The room, not a leg.** ``<Conference record="record-from-start">`` records the room from its
  start and reports to ``recordingStatusCallback`` (``in-progress``, ``completed``, ``absent``).
  Since September 2025 Twilio stores conference recordings in two channels, the first
  participant (our caller, always first in their room) on one and everyone else on the other;
  the media downloads in one channel unless ``RequestedChannels=2`` asks for both, which the
  centre does when the report says ``RecordingChannels=2``. Accounts with public-key encryption
  or external storage still get one channel: the report says 1, and the centre downloads and
  plays that just the same. ``RecordingChannels=dual`` of the Call Recordings API records the
  two parties of a two-party call; a room with a consultation or a three-way call has more, so
  the centre does not record a leg.
- **Pause and resume.** ``UpdateConferenceRecording`` with ``Status=paused``
  (``PauseBehavior=skip``: nothing of the pause is kept, not even silence) and
  ``Status=in-progress``, addressed as ``Twilio.CURRENT`` so the desk needs no recording sid;
  each is audited on the caller's trail. The desk offers it once the room's ``in-progress``
  report has come: before that there is no recording to pause.
- **Consent.** Whether a queue records is its policy (``record_calls``, off unless the office
  switches it on); a caller hears the notice in their language before they queue and, where the
  policy lets them (``caller_may_decline``), may decline with a key. ``routing.consent`` keeps the
  answer for the whole call; ``call_records.recorded`` and ``recording_reason`` keep it after.
- **After the call.** The report is kept durably (``service.report_recording``); a completed
  recording of a call is downloaded by one RQ job per recording (``download-<sid>``, retried
  with backoff for about a day), stored behind ``storage.AudioStore`` (a local folder today),
  checked by size and SHA-256, and only then deleted at Twilio if the office wants it. A report
  repeated or late finds the stored copy and stores nothing again.
- **Playback.** The desk streams the stored copy with HTTP Range, on the grounds of the call
  (the consultant took it) or of the caller's record, audited once per playback; a recording
  whose audio is gone says so.
"""
