"""<Number url> and <Client url>: the TwiML that runs on a dialled leg once it answers.

It runs in a thread of its own while the caller's <Dial> waits (the caller keeps hearing
ringing). If the document ends normally the legs are bridged; if it hangs up, or the leg
ends, the <Dial> goes on as not answered. This is how a desk phone is screened, so that a
voicemail box, which never presses a key, does not count as an answer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from emulator.exceptions import ApplicationError, CallEnded, CallInterrupted
from emulator.twiml import SCREEN_VERBS, Fetch, Verb

if TYPE_CHECKING:
    from emulator.engine import CallRunner

log = logging.getLogger(__name__)


def screen(runner: CallRunner, url: str, method: str) -> None:
    """Run the screening document on an answered leg; mark the leg screened if it ends well."""
    leg = runner.call
    network = runner.network
    step = Fetch(url, method)
    try:
        while True:
            verbs, document_url = runner.fetch_document(step.url, step.method, step.params)
            runner.document_url = document_url
            _refuse_dial(verbs, document_url)
            outcome = runner.run_verbs(verbs, document_url, SCREEN_VERBS)
            if not isinstance(outcome, Fetch):
                break
            step = outcome
        leg.record("bridged", "the screening document ended: connecting the caller")
        with network.changed:
            leg.screened = True
    except CallEnded as end:
        runner.end(end.status)
    except CallInterrupted:
        runner.end("completed")
    except ApplicationError as error:
        runner.application_error(error)
    except Exception as exc:
        log.exception("call %s: the emulator failed while screening", leg.sid)
        leg.record("error", f"emulator failure: {exc}")
        runner.end("failed")
    finally:
        with network.changed:
            leg.screening = False
            network.changed.notify_all()


def _refuse_dial(verbs: list[Verb], document_url: str) -> None:
    if any(verb.name == "Dial" for verb in verbs):
        raise ApplicationError(
            "a document on a dialled leg may not <Dial> (Twilio error 13201)", document_url
        )
