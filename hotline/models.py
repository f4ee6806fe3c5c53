"""Imports every domain package's models so one metadata describes the whole schema."""

from customers.models import AuditEntry, Contact, Customer
from knowledge.models import FaqEntry, Office
from recordings.models import Recording
from routing.models import CallRecord, Consultant

__all__ = [
    "AuditEntry",
    "CallRecord",
    "Consultant",
    "Contact",
    "Customer",
    "FaqEntry",
    "Office",
    "Recording",
]
