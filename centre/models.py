"""Imports every domain package's models so one metadata describes the whole schema."""

from consultants.models import Consultant
from customers.models import AuditEntry, Contact, Customer
from ivr.models import StoredJourney
from knowledge.models import (
    County,
    DirectoryEntry,
    FaqEntry,
    ImportRowError,
    ImportRun,
    Office,
    Place,
    Region,
    TrainingOffer,
    Vacancy,
)
from messaging.models import JobAlert, OutboundSms
from privacy.models import LegalHold, RetentionReport
from recordings.models import Recording
from routing.models import CallbackAttempt, CallbackRequest, CallLeg, CallRecord

__all__ = [
    "AuditEntry",
    "CallbackAttempt",
    "CallbackRequest",
    "CallLeg",
    "CallRecord",
    "Consultant",
    "Contact",
    "County",
    "DirectoryEntry",
    "Customer",
    "FaqEntry",
    "JobAlert",
    "StoredJourney",
    "LegalHold",
    "OutboundSms",
    "ImportRowError",
    "ImportRun",
    "Office",
    "Place",
    "Recording",
    "Region",
    "RetentionReport",
    "TrainingOffer",
    "Vacancy",
]
