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
    created += seed_property_side()
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


# Tenants' complaints (CLI-6, 接听客户投诉) and the incoming correspondence register (ARC-8, 上行下达).
# They are seeded here, after the tenancies: clients' demo runs before the archives exist.
TENANT_COMPLAINTS = [
    ("卫生间天花板漏水", "楼上卫生间渗水，天花板已经发黄滴水。", "repair", "phone", "resolved"),
    ("空调不制冷", "会议室空调开了一上午仍然很热。", "repair", "visit", "assigned"),
    ("楼上夜间装修噪音", "晚上十点以后仍在电钻施工，影响加班。", "noise", "phone", "closed"),
    ("走廊垃圾未及时清运", "电梯厅旁垃圾桶满了两天没人清理。", "cleaning", "online", "reopened"),
    ("访客登记太慢", "早上访客排队登记超过二十分钟。", "security", "written", "received"),
    ("物业费账单有误", "三月物业费按旧面积计算，多收了费用。", "fees", "written", "assigned"),
    ("前台服务态度差", "询问停车事宜时前台语气不耐烦。", "attitude", "visit", "closed"),
]

TENANT_LETTERS = [
    ("申请周末延长空调供应", "request", "routed_overdue"),
    ("关于更换门禁卡的申请", "request", "answered"),
    ("三月份用电情况报告", "report", "received"),
    ("对停车位分配的意见函", "letter", "routed"),
]


def seed_property_side() -> int:
    from archives.models import IncomingLetter
    from clients.models import Complaint

    created = 0
    if not Complaint.objects.filter(kind=Complaint.Kind.PROPERTY).exists():
        created += _tenant_complaints()
    if not IncomingLetter.objects.exists():
        created += _letters()
    return created


def _tenant_complaints() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from clients import complaints as workflow
    from clients.models import Complaint
    from crm.models import User

    desk, archivist = User.objects.get(username="frontdesk"), User.objects.get(username="archivist")
    tenancies = list(Tenancy.objects.current().select_related("client").order_by("unit__floor__building__code"))
    for index, (subject, text, category, channel, state) in enumerate(TENANT_COMPLAINTS):
        tenancy = tenancies[index % len(tenancies)]
        complaint = workflow.complaint_file(
            client=tenancy.client,
            subject=subject,
            description=text,
            channel=channel,
            by=desk,
            kind=Complaint.Kind.PROPERTY,
            category=category,
        )
        # Spread over the last months so the complaints report has a series.
        received = timezone.now() - timedelta(days=12 * index + 3, hours=index * 5)
        Complaint.objects.filter(pk=complaint.pk).update(received_at=received)
        complaint.refresh_from_db()
        if state == "received":
            continue
        complaint = workflow.complaint_assign(complaint=complaint, assignee=archivist, by=desk)
        if state == "assigned":
            continue
        complaint = workflow.complaint_resolve(
            complaint=complaint, resolution="已与相关部门协调处理并回访租户。", by=archivist
        )
        Complaint.objects.filter(pk=complaint.pk).update(resolved_at=received + timedelta(hours=4 + index * 7))
        complaint.refresh_from_db()
        if state == "reopened":
            workflow.complaint_reopen(complaint=complaint, by=desk, note="租户反映问题再次出现。")
        elif state == "closed":
            workflow.complaint_close(complaint=complaint, by=archivist, note="租户确认满意。")
    return len(TENANT_COMPLAINTS)


def _letters() -> int:
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from archives import correspondence
    from crm.models import User

    desk, archivist = User.objects.get(username="frontdesk"), User.objects.get(username="archivist")
    tenancies = list(Tenancy.objects.current().select_related("unit").order_by("unit__floor__building__code"))
    today = timezone.localdate()
    for index, (subject, kind, state) in enumerate(TENANT_LETTERS):
        tenancy = tenancies[(index + 2) % len(tenancies)]
        received = today - timedelta(days=10 - index * 2)
        letter = correspondence.letter_log(
            unit=tenancy.unit,
            received_on=received,
            sender=f"{tenancy.company_name} 行政部",
            subject=subject,
            kind=kind,
            summary="详见扫描件。",
            scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n% demo letter\n%%EOF\n"),
            by=desk,
        )
        if state == "received":
            continue
        due = today - timedelta(days=1) if state == "routed_overdue" else received + timedelta(days=7)
        letter = correspondence.letter_route(letter=letter, handler=archivist, due_on=due, by=desk)
        if state == "answered":
            correspondence.letter_answer(
                letter=letter, answer="已同意，新门禁卡将于周五前发放。", answered_on=today, by=archivist
            )
    return len(TENANT_LETTERS)
