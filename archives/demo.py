"""Demo property for `manage.py seed_demo`: three buildings, their floors and units, and the
tenancies of the demo tenant clients (one of them moved out). Idempotent."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import translation

from archives.models import Building, Category, Document, Floor, Loan, Tenancy, TenantProfile, Unit
from clients.models import Client

BUILDINGS = [("A", "国贸大厦 A 座", "east"), ("B", "国贸大厦 B 座", "east"), ("W", "望京 SOHO", "north")]
FLOORS = range(10, 16)
UNITS_PER_FLOOR = 4


@transaction.atomic
def seed() -> int:
    created = 0
    for code, name, zone in BUILDINGS:
        defaults = {"name": name, "zone": zone, "address": "北京市朝阳区建国门外大街1号"}
        building, _ = Building.objects.get_or_create(code=code, defaults=defaults)
        for number in FLOORS:
            floor, _ = Floor.objects.get_or_create(building=building, number=number)
            for index in range(1, UNITS_PER_FLOOR + 1):
                _unit, made = Unit.objects.get_or_create(
                    floor=floor, number=f"{number}{index:02d}", defaults={"area": 80 + index * 35, "usage": "办公"}
                )
                created += made
    if not Tenancy.objects.exists():
        created += _tenancies()
    if not Document.objects.exists():
        created += _documents()
    if not TenantProfile.objects.exists():
        created += _profiles()
    return created


# Staff, company type, paid until (months from today, negative: behind) and arrears in yuan.
PROFILES = [
    (120, TenantProfile.CompanyType.STATE_OWNED, 3, "0", ""),
    (45, TenantProfile.CompanyType.PRIVATE, -2, "18600.00", "已发催缴通知，承诺月底前付清"),
    (260, TenantProfile.CompanyType.FOREIGN, 6, "0", ""),
    (30, TenantProfile.CompanyType.JOINT_VENTURE, -4, "42350.50", "欠费四个月，客务部经理已约谈"),
    (12, TenantProfile.CompanyType.REPRESENTATIVE, -1, "5200.00", ""),
    (80, TenantProfile.CompanyType.PRIVATE, 1, "0", ""),
]


def _profiles() -> int:
    """Tenant profiles of the current tenants: some up to date, some in arrears (欠费)."""
    from archives import services
    from crm.models import User

    keeper = User.objects.get(username="archivist")
    today = date.today().replace(day=1)
    tenancies = Tenancy.objects.current().order_by("unit__floor__building__code", "unit__number")
    count = 0
    for tenancy, (staff, kind, months, arrears, notes) in zip(tenancies, PROFILES * 3, strict=False):
        month = today.month - 1 + months
        paid_until = today.replace(year=today.year + month // 12, month=month % 12 + 1)
        data = {
            "staff_count": staff,
            "company_type": kind,
            "fees_paid_until": paid_until,
            "arrears": arrears,
            "notes": notes,
        }
        services.tenant_profile_save(tenancy=tenancy, data=data, seen_version=0, by=keeper)
        count += 1
    return count


def _documents() -> int:
    """Documents of every category, some working documents with revisions, and loans in each state."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archives import services
    from crm.models import User

    archivist, desk = User.objects.get(username="archivist"), User.objects.get(username="frontdesk")
    # The client-services manager (客务部经理) decides on loans and changes (ARC-6, ARC-7).
    manager, am1 = User.objects.get(username="propmanager"), User.objects.get(username="am1")
    tenancies = list(
        Tenancy.objects.current().select_related("unit").order_by("unit__floor__building__code", "unit__number")
    )
    categories = list(Category.values)
    count = 0
    for index, tenancy in enumerate(tenancies[:8]):
        for offset in range(4):
            category = categories[(index * 4 + offset) % len(categories)]
            pdf = SimpleUploadedFile(f"{category}.pdf", b"%PDF-1.4\n% demo document\n%%EOF\n")
            document = services.document_file(
                unit=tenancy.unit,
                upload=pdf,
                title=f"{_label(category)} · {tenancy.company_name}",
                category=category,
                dated=date(2024 + offset % 2, 1 + (index + offset) % 12, 10),
                kind=Document.Kind.WORKING if offset == 3 else Document.Kind.ORIGINAL,
                by=desk,
            )
            count += 1
            if offset == 3 and index < 3:
                change = services.change_request_submit(
                    document=document,
                    reason="更新紧急联系人电话",
                    by=archivist,
                    upload=SimpleUploadedFile("v2.pdf", b"%PDF-1.4\n% revised\n%%EOF\n"),
                )
                if index < 2:
                    services.change_request_decide(request=change, approve=True, by=manager, note="同意")
    for moved_out in Tenancy.objects.filter(move_out__isnull=False):
        for category in ("move_in", "payments", "violations"):
            services.document_file(
                unit=moved_out.unit,
                tenancy=moved_out,
                by=desk,
                kind=Document.Kind.ORIGINAL,
                category=category,
                title=f"{_label(category)} · {moved_out.company_name}",
                dated=moved_out.move_in,
                upload=SimpleUploadedFile(f"{category}.pdf", b"%PDF-1.4\n% old tenant\n%%EOF\n"),
            )
            count += 1
    units = [t.unit for t in tenancies]
    services.loan_request(unit=units[1], purpose="核对押金记录", by=am1)
    out = services.loan_request(unit=units[2], purpose="装修审批复核", by=desk)
    services.loan_decide(loan=out, approve=True, by=manager, due_on=date.today())
    overdue = services.loan_request(unit=units[3], purpose="合同续签", by=archivist)
    services.loan_decide(loan=overdue, approve=True, by=manager, due_on=date.today())
    Loan.objects.filter(pk=overdue.pk).update(due_on=date.today().replace(day=1))  # due at the start of the month
    returned = services.loan_request(unit=units[4], purpose="年审", by=desk)
    services.loan_decide(loan=returned, approve=True, by=manager, due_on=date.today())
    services.loan_return(loan=returned, by=archivist)
    refused = services.loan_request(unit=units[5], purpose="复印", by=am1)
    services.loan_decide(loan=refused, approve=False, by=manager)
    # Read in the office (在档案室查阅): a loan of the day, waiting, and one read and handed back.
    services.loan_request(unit=units[6], purpose="查阅入住资料", in_office=True, by=desk)
    read = services.loan_request(unit=units[7], purpose="核对装修图纸", in_office=True, by=archivist)
    services.loan_decide(loan=read, approve=True, by=manager)
    services.loan_return(loan=read, by=archivist)
    services.notice_send(
        title="春节期间空调停运通知",
        body="2月9日至2月17日中央空调停运。",
        scope="building",
        building=units[0].floor.building,
        by=archivist,
    )
    return count


def _label(category: str) -> str:
    """A document's title is stored text: the demo files it as the Chinese desk would."""
    with translation.override("zh-hans"):
        return str(Category(category).label)


def _tenancies() -> int:
    units = list(Unit.objects.select_related("floor__building").order_by("floor__building__code", "number"))
    tenants = list(Client.objects.filter(kind__in=[Client.Kind.TENANT, Client.Kind.CORPORATE]).order_by("code"))
    rows = []
    for index, client in enumerate(tenants):
        unit = units[index * 2]
        label = client.name if index != 3 else "旧公司名称有限公司"  # one file label out of date (ARC-4)
        Unit.objects.filter(pk=unit.pk).update(file_label=label)
        rows.append(Tenancy(unit=unit, client=client, company_name=client.name, move_in=date(2024, 3 + index % 9, 1)))
    # A moved-out tenant on the first unit: its file is kept apart from the current one (ARC-5).
    if tenants:
        rows.append(
            Tenancy(
                unit=units[0],
                client=tenants[-1],
                company_name=f"{tenants[-1].name}（已退租）",
                move_in=date(2021, 5, 1),
                move_out=date(2023, 12, 31),
            )
        )
    Tenancy.objects.bulk_create(rows)
    return len(rows)
