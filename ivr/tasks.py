"""The IVR's jobs moved to messaging; jobs queued before the move still name this module.

RQ stores a job's function as a dotted path, and the daily job-alerts run is scheduled a day
ahead, so a deploy meets jobs that say ``ivr.tasks.send_sms`` or ``ivr.tasks.run_job_alerts``.
Remove this module once no queue or registry holds such a job.
"""

from __future__ import annotations

from messaging.tasks import run_job_alerts, send_job_alerts, send_sms

__all__ = ["run_job_alerts", "send_job_alerts", "send_sms"]
