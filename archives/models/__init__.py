from archives.models.documents import Category, Document, DocumentVersion, ImmutableRecordError
from archives.models.property import PROPERTY_ROLES, Building, Floor, Tenancy, TenancyQuerySet, Unit, UnitQuerySet
from archives.models.tenants import TenantProfile
from archives.models.workflow import (
    ChangeRequest,
    Loan,
    Notice,
    NoticeDelivery,
    YearlyArchive,
    YearlyArchiveEntry,
)

__all__ = [
    "PROPERTY_ROLES",
    "Building",
    "Category",
    "ChangeRequest",
    "Document",
    "DocumentVersion",
    "Floor",
    "ImmutableRecordError",
    "Loan",
    "Notice",
    "NoticeDelivery",
    "Tenancy",
    "TenancyQuerySet",
    "TenantProfile",
    "Unit",
    "UnitQuerySet",
    "YearlyArchive",
    "YearlyArchiveEntry",
]

# The incoming correspondence register (ARC-8), in its own module.
from archives.models.correspondence import IncomingLetter, IncomingLetterQuerySet

__all__ += ["IncomingLetter", "IncomingLetterQuerySet"]
