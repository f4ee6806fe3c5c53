"""Jobs queued under the IVR's old paths before messaging took them over still run."""

from __future__ import annotations

from rq.utils import import_attribute

from messaging import tasks


def test_jobs_queued_before_the_move_find_messagings_jobs():
    for name in ("send_sms", "send_job_alerts", "run_job_alerts"):
        assert import_attribute(f"ivr.tasks.{name}") is getattr(tasks, name)
