"""Every exception the emulator raises, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.models import Bridge


class ApiError(Exception):
    """A REST request Twilio would refuse, answered as Twilio's JSON error."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, object]:
        """Return the body Twilio sends with this error."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


class ConfigError(ValueError):
    """Raised when the emulator settings cannot describe a working network."""


class ControlError(Exception):
    """A control API request that cannot be carried out, answered as JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class EndpointStateError(Exception):
    """An endpoint action that does not fit what the endpoint is doing."""


class ScriptError(ValueError):
    """Raised when a caller script step is not one the emulator understands."""


class ApplicationError(Exception):
    """The centre's answer cannot drive the call: Twilio plays 'application error'."""

    def __init__(self, reason: str, url: str | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status


class CallInterrupted(Exception):
    """Something outside the running TwiML changed the call; unwinds the verb in progress."""


class CallEnded(CallInterrupted):
    """The call is over: the caller hung up, the API ended it, or it ran too long."""

    def __init__(self, status: str, reason: str, by_caller: bool) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.by_caller = by_caller


class CallRedirected(CallInterrupted):
    """The REST API (a call update or a queue member update) sent the call elsewhere."""

    def __init__(self, url: str | None, method: str, twiml: str | None = None) -> None:
        super().__init__(url or "inline TwiML")
        self.url = url
        self.method = method
        self.twiml = twiml


class CallBridged(CallInterrupted):
    """A <Dial><Queue> took this caller out of its queue to talk to whoever dialled."""

    def __init__(self, bridge: Bridge) -> None:
        super().__init__(bridge.agent_call_sid)
        self.bridge = bridge


class ConferenceChanged(CallInterrupted):
    """The call's conference changed (started, hold, removal...); its thread looks again."""
