"""Writes of the unit archive (ARC-1…9): filing, revisions, loans, move-out, yearly archive, notices."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from archives import files
from archives.models import (
    ChangeRequest,
    Document,
    DocumentVersion,
    Loan,
    Notice,
    NoticeDelivery,
    Tenancy,
    TenantProfile,
    Unit,
    YearlyArchive,
    YearlyArchiveEntry,
)
from crm.history import record_update
from crm.models import User
from crm.permissions import user_has_role
from crm.roles import ARCHIVE_APPROVER_ROLES, CLIENT_SERVICES_ROLES, Role
from crm.services import notification_create

# The client-services manager approves (ARC-6, ARC-7); the sales manager no longer does.
APPROVER_ROLES = (*ARCHIVE_APPROVER_ROLES, Role.ADMIN)


def _approvers() -> list[User]:
    return list(User.objects.filter(role__in=ARCHIVE_APPROVER_ROLES, is_active=True).order_by("pk"))


def _notify_approvers(*, key: str, message: str, params: dict, by: User) -> None:
    """Tell every client-services manager what waits for them (not the person who asked), in
    each one's language (crm.messages)."""
    for approver in _approvers():
        if approver.pk != by.pk:
            notification_create(
                recipient=approver,
                key=f"{key}:{approver.pk}",
                message=message,
                params=params,
                link="/archives/approvals/",
            )


def document_file(
    *,
    unit: Unit,
    upload: UploadedFile,
    title: str,
    category: str,
    dated: date,
    kind: str,
    by: User,
    tenancy: Tenancy | None = None,
) -> Document:
    """File a document in the unit's file, under the current tenancy unless another is given (a
    past tenant's paper found later joins that tenant's closed file) (ARC-2, ARC-3)."""
    with transaction.atomic():
        stored = files.store(upload)
        document = Document.objects.create(
            unit=unit,
            tenancy=tenancy or unit.current_tenancy,
            category=category,
            kind=kind,
            title=title,
            dated=dated,
            created_by=by,
        )
        DocumentVersion.objects.create(document=document, number=1, created_by=by, **stored.__dict__)
        return document


def change_request_submit(*, document: Document, upload: UploadedFile, reason: str, by: User) -> ChangeRequest:
    """Propose a new version of a working document; originals are never revised (ARC-7)."""
    with transaction.atomic():
        if document.kind != Document.Kind.WORKING:
            raise ValidationError(_("An original document is never modified. File a new document instead."))
        stored = files.store(upload)
        base = document.versions.aggregate(top=Max("number"))["top"]
        change = ChangeRequest.objects.create(
            document=document, reason=reason, requested_by=by, base_version=base, **stored.__dict__
        )
        _notify_approvers(
            key=f"archive-change-request:{change.pk}",
            message="archives.change_requested",
            params={"doc": document.title, "text": reason},
            by=by,
        )
        return change


def change_request_decide(*, request: ChangeRequest, approve: bool, by: User, note: str = "") -> ChangeRequest:
    """A manager approves (a new version is stored) or refuses; never the person who asked."""
    if by.role not in APPROVER_ROLES:
        raise PermissionDenied
    if request.requested_by_id == by.pk:
        raise ValidationError(_("You cannot approve your own change; another manager must."))
    with transaction.atomic():
        status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REFUSED
        won = ChangeRequest.objects.filter(pk=request.pk, status=ChangeRequest.Status.PENDING).update(
            status=status, decided_by=by, decided_at=timezone.now(), decision_note=note
        )
        if not won:
            raise ValidationError(_("This change request was already decided."))
        record_update(request, by)
        if approve:
            document = Document.objects.select_for_update().get(pk=request.document_id)
            number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
            if request.base_version and request.base_version != number - 1:
                raise ValidationError(
                    _(
                        "This change was made on version %(base)s, but the document is now at version %(top)s. "
                        "Refuse it and ask for a change of the current version."
                    )
                    % {"base": request.base_version, "top": number - 1}
                )
            DocumentVersion.objects.create(
                document=document,
                number=number,
                stored_name=request.stored_name,
                original_name=request.original_name,
                content_type=request.content_type,
                size=request.size,
                sha256=request.sha256,
                note=request.reason,
                created_by=request.requested_by,
                approved_by=by,
            )
        notification_create(
            recipient=request.requested_by,
            key=f"archive-change:{request.pk}:{status}",
            message="archives.change_approved" if approve else "archives.change_refused",
            params={"doc": request.document.title, "text": note},
            link=request.document.get_absolute_url(),
        )
    return request


DUPLICATE_REQUEST = _lazy(
    "You have already asked to borrow this file; your request waits for the client-services manager."
)


def loan_request(*, unit: Unit, purpose: str, by: User, in_office: bool = False) -> Loan:
    """Ask to borrow a unit's file, or to read it in the office (ARC-6); the client-services
    managers are told. One request waits per person and file: the database refuses a second one
    (two tabs at once too), and the asker is told why."""
    if Loan.objects.pending().filter(unit=unit, borrower=by).exists():
        raise ValidationError(str(DUPLICATE_REQUEST))
    try:
        with transaction.atomic():
            loan = Loan.objects.create(unit=unit, borrower=by, purpose=purpose, in_office=in_office)
            _notify_approvers(
                key=f"loan-request:{loan.pk}",
                message="archives.loan_requested_in_office" if in_office else "archives.loan_requested",
                params={"who": str(by), "unit": str(unit), "text": purpose},
                by=by,
            )
            return loan
    except IntegrityError:
        raise ValidationError(str(DUPLICATE_REQUEST)) from None


def loan_decide(*, loan: Loan, approve: bool, by: User, due_on: date | None = None) -> Loan:
    """Approve (the file goes out until ``due_on``) or refuse. Two approvals of loans of one file
    at once: the database lets one through (one loan out per file) and the other is told."""
    if by.role not in APPROVER_ROLES:
        raise PermissionDenied
    if loan.borrower_id == by.pk:
        raise ValidationError(_("You cannot decide on your own borrowing request; another manager must."))
    if approve and loan.in_office:
        due_on = timezone.localdate()  # read in the office: a loan of the day
    if approve and (due_on is None or due_on < timezone.localdate()):
        raise ValidationError({"due_on": _("Give a due date from today on.")})
    status = Loan.Status.OUT if approve else Loan.Status.REFUSED
    with transaction.atomic():  # the decision, its audit row and the borrower's notice together
        try:
            with transaction.atomic():
                won = Loan.objects.filter(pk=loan.pk, status=Loan.Status.REQUESTED).update(
                    status=status, decided_by=by, decided_at=timezone.now(), due_on=due_on if approve else None
                )
        except IntegrityError:
            raise ValidationError(_("This file is already out on another loan; it must be returned first.")) from None
        if not won:
            raise ValidationError(_("This request was already decided."))
        record_update(loan, by)
        notification_create(
            recipient=loan.borrower,
            key=f"loan:{loan.pk}:{status}",
            message="archives.loan_approved" if approve else "archives.loan_refused",
            params={"unit": str(loan.unit), "due": due_on.isoformat() if due_on else ""},
            link=loan.unit and f"/archives/units/{loan.unit_id}/",
        )
    return loan


def loan_return(*, loan: Loan, by: User) -> Loan:
    """The file is back (an in-office reading is closed); the return date is kept and shown."""
    if not user_has_role(by, CLIENT_SERVICES_ROLES):
        raise PermissionDenied
    with transaction.atomic():
        won = Loan.objects.filter(pk=loan.pk, status=Loan.Status.OUT).update(
            status=Loan.Status.RETURNED, returned_at=timezone.now(), returned_to=by
        )
        if not won:
            raise ValidationError(_("This file is not out on loan."))
        return record_update(loan, by)


def loans_overdue_notify(*, today: date | None = None) -> int:
    """Remind borrowers and the archivists of overdue files, once per loan and day."""
    today = today or timezone.localdate()
    archivists = list(User.objects.filter(role=Role.CLIENT_SERVICES_SUPERVISOR, is_active=True))
    count = 0
    for loan in Loan.objects.overdue(today).select_related("unit__floor__building", "borrower"):
        params = {"unit": str(loan.unit), "due": loan.due_on.isoformat()}
        for recipient in [loan.borrower, *archivists]:
            _n, created = notification_create(
                recipient=recipient,
                key=f"loan-overdue:{loan.pk}:{today}",
                message="archives.loan_overdue",
                params=params,
                link=f"/archives/units/{loan.unit_id}/",
            )
            count += created
    return count


def tenancy_end(*, tenancy: Tenancy, move_out: date, by: User) -> Tenancy:
    """Move-out (ARC-5): the tenancy ends and its documents are closed, apart from the next tenant's."""
    with transaction.atomic():
        if tenancy.move_out is not None:
            raise ValidationError(_("This tenancy has ended already."))
        if move_out < tenancy.move_in:
            raise ValidationError({"move_out": _("The move-out cannot be before the move-in.")})
        tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)  # two keepers at once: one wins
        if tenancy.move_out is not None:
            raise ValidationError(_("This tenancy has ended already."))
        tenancy.move_out = move_out
        tenancy._history_user = by
        tenancy.save(update_fields=["move_out"])
        return tenancy


def yearly_archive_compile(*, year: int) -> YearlyArchive:
    """Compile the files of tenancies that ended in ``year`` (ARC-5), shelved by floor; a rerun
    adds only what is missing, so it gives the same archive."""
    with transaction.atomic():
        archive, _created = YearlyArchive.objects.get_or_create(year=year)
        # Moved out: a tenant is in the unit until its move-out day (Tenancy.objects.current).
        documents = Document.objects.filter(
            tenancy__move_out__year=year, tenancy__move_out__lt=timezone.localdate()
        ).select_related("unit__floor__building")
        YearlyArchiveEntry.objects.bulk_create(
            [
                YearlyArchiveEntry(
                    archive=archive,
                    tenancy_id=d.tenancy_id,
                    document=d,
                    shelf=f"{d.unit.floor.building.code}-{d.unit.floor.number:02d}F",
                )
                for d in documents
            ],
            ignore_conflicts=True,
        )
    return archive


def notice_send(*, title: str, body: str, scope: str, by: User, unit=None, floor=None, building=None) -> Notice:
    """Log an outgoing notice and which units (and tenants) it went to (ARC-8)."""
    with transaction.atomic():
        notice = Notice.objects.create(
            title=title, body=body, scope=scope, unit=unit, floor=floor, building=building, sent_by=by
        )
        units = Unit.objects.all()
        if scope == Notice.Scope.UNIT:
            units = units.filter(pk=unit.pk)
        elif scope == Notice.Scope.FLOOR:
            units = units.filter(floor=floor)
        elif scope == Notice.Scope.BUILDING:
            units = units.filter(floor__building=building)
        tenants = dict(Tenancy.objects.current().filter(unit__in=units).values_list("unit_id", "pk"))
        NoticeDelivery.objects.bulk_create(
            [
                NoticeDelivery(notice=notice, unit_id=pk, tenancy_id=tenants.get(pk))
                for pk in units.values_list("pk", flat=True)
            ]
        )
        return notice


def default_due_on() -> date:
    return timezone.localdate() + timedelta(days=7)


PROFILE_FIELDS = ("staff_count", "company_type", "fees_paid_until", "arrears", "notes")


def tenant_profile_save(*, tenancy: Tenancy, data: dict, seen_version: int, by: User) -> TenantProfile:
    """Create or change a tenancy's profile (client services). ``seen_version`` is the version the
    editor's form showed: of two concurrent saves one wins, the other is told to reload. Each
    change leaves an audit row with who made it (X-2)."""
    if not user_has_role(by, CLIENT_SERVICES_ROLES):
        raise PermissionDenied(_("Only client services keep tenant profiles."))
    values = {name: data[name] for name in PROFILE_FIELDS if name in data}
    with transaction.atomic():
        profile, _created = TenantProfile.objects.get_or_create(tenancy=tenancy)
        won = TenantProfile.objects.filter(pk=profile.pk, version=seen_version).update(
            **values, version=seen_version + 1, updated_at=timezone.now(), updated_by=by
        )
        if not won:
            raise ValidationError(
                _("Someone else changed this profile meanwhile. Reload it and make your change again.")
            )
        return record_update(profile, by, fields=("version",))
