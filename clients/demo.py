"""Demo client files for `manage.py seed_demo`: ~60 clients of am1 and am2 with their history.

Deterministic (a fixed random seed) and idempotent: clients are created by code, and a client
that exists already is left as it is.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients import complaints as workflow
from clients.models import (
    Client,
    Contact,
    Interaction,
    KeyAccountCost,
    KeyAccountProfile,
    Lead,
    ProductFeedback,
    ServicePlan,
)
from crm.models import Territory, User

COMPANIES = [
    "北京华信科技有限公司",
    "上海明达贸易有限公司",
    "广州恒通物流有限公司",
    "深圳鹏程电子有限公司",
    "杭州云帆网络科技有限公司",
    "南京金陵食品有限公司",
    "天津渤海化工有限公司",
    "成都天府酒业有限公司",
    "Golden Harbor Trading Co.",
    "Evergreen Foods Ltd.",
    "Pacific Rim Logistics",
    "Northwind Office Supplies",
    "武汉长江医药有限公司",
    "西安古城文化传媒有限公司",
    "青岛海润水产有限公司",
    "苏州工业园精密机械有限公司",
    "Silverline Consulting",
    "Blue Ocean Seafood Import",
    "厦门鹭岛茶业有限公司",
    "重庆山城火锅连锁",
]
SHOPS = [
    "东四便利店",
    "王府井烟酒商行",
    "朝阳门副食店",
    "海淀黄庄超市",
    "西单好邻居便利店",
    "三里屯美宜佳",
    "中关村快客便利",
    "望京华联超市",
    "Corner Mart Sanlitun",
    "Lucky Store Wudaokou",
]
TENANTS = [
    "华泰律师事务所",
    "德勤咨询（国贸分部）",
    "星巴克国贸店",
    "招商银行东三环支行",
    "Acme Design Studio",
    "智联招聘北京分公司",
    "中信证券营业部",
    "Baker & Partners LLP",
    "新东方培训中心",
    "一点点奶茶",
]
PEOPLE = [
    "李明",
    "王芳",
    "张磊",
    "刘洋",
    "陈静",
    "杨帆",
    "赵敏",
    "黄伟",
    "周婷",
    "吴刚",
    "徐丽",
    "孙浩",
    "David Wang",
    "Linda Zhao",
    "Michael Li",
    "Sarah Chen",
    "Tom Liu",
    "Grace Xu",
]
POSITIONS = ["总经理", "采购经理", "财务总监", "行政主管", "店长", "Operations Manager", "Purchasing Lead"]
OUTCOMES = [
    "介绍了新的结算套餐，客户有兴趣，需要报价。",
    "客户反映上月送货延迟两天，已协调物流。",
    "Reviewed the annual contract; client wants a volume discount.",
    "回访使用情况，客户满意，计划增加订货量。",
    "客户询问新品上市时间，已发送产品资料。",
    "Phone follow-up on overdue invoice; payment promised by Friday.",
]


def seed() -> int:
    """Create the demo clients that are missing; returns how many were created."""
    am1, am2 = User.objects.get(username="am1"), User.objects.get(username="am2")
    territories = {t.code: t for t in Territory.objects.all()}
    rng = random.Random(20261128)
    names = [(n, Client.Kind.CORPORATE) for n in COMPANIES] + [(n, Client.Kind.RETAIL) for n in SHOPS]
    names += [(n, Client.Kind.TENANT) for n in TENANTS]
    names += [(n, Client.Kind.INDIVIDUAL) for n in PEOPLE[:20]]
    created = 0
    with transaction.atomic():
        for index, (name, kind) in enumerate(names, start=1):
            code = f"C{index:04d}"
            if Client.objects.filter(code=code).exists():
                continue
            owner = am1 if index % 2 else am2
            territory = territories.get(
                rng.choice(["dongcheng", "xicheng"] if owner == am1 else ["chaoyang", "haidian"])
            )
            client = _client(rng, code, name, kind, owner, territory, index)
            _history(rng, client, owner)
            created += 1
        created += _pipeline(am1, am2)
        created += _costs(rng)
        created += _service_plans()
        created += _brands()
        created += _survey()
    return created


def service_demo_accounts() -> list[Client]:
    """The two key accounts whose service the demo shows in full (am1's and am2's first): their
    plans here, their deliveries and complaints about orders in grading's demo."""
    accounts = []
    for username in ("am1", "am2"):
        account = (
            Client.objects.filter(owner__username=username, is_key_account=True, key_account__isnull=False)
            .order_by("code")
            .first()
        )
        if account is not None:
            accounts.append(account)
    return accounts


def _service_plans() -> int:
    """This year's service plan of each demo key account (MKT-3), written by its account manager."""
    year = timezone.localdate().year
    created = 0
    for client in service_demo_accounts():
        contact = client.contacts.first()
        _plan, new = ServicePlan.objects.get_or_create(
            client=client,
            year=year,
            defaults={
                "commitments": "每月上门拜访一次；投诉 24 小时内响应、72 小时内给出处理结果；"
                "季度对账；新品上市前提供样品与培训。",
                "our_contacts": f"客户经理 {client.owner.get_full_name() or client.owner.username}；"
                "物流专员 赵敏（010-6512 3456）；售后主管 钱伟",
                "client_contacts": f"{contact.name}（{contact.position}）" if contact else "采购部",
                "mid_year_review": date(year, 6, 30),
                "year_end_review": date(year, 12, 15),
                "updated_by": client.owner,
            },
        )
        created += new
    return created


# The key-account pipeline (招商, MKT-3): (company, owner 1 or 2, stage, expected volume, next step,
# days to the next step, reason lost). Every stage occurs for both account managers' teams.
PIPELINE = [
    ("江苏苏宁商贸有限公司", 1, "prospect", 1_200_000, "发送公司介绍和报价单", 5, ""),
    ("浙江绿源茶业集团", 2, "prospect", 600_000, "找到采购总监的联系方式", 2, ""),
    ("山东鲁花粮油有限公司", 1, "contacted", 2_500_000, "安排首次上门拜访", 3, ""),
    ("福建安踏体育用品有限公司", 2, "contacted", 900_000, "寄送样品", -2, ""),
    ("湖南长沙银行股份有限公司", 1, "negotiating", 5_000_000, "确认年度框架协议条款", 7, ""),
    ("广东美的电器销售公司", 2, "negotiating", 3_200_000, "第二轮返利条款谈判", 1, ""),
    ("河北承德露露饮料有限公司", 1, "signed", 1_800_000, "", None, ""),
    ("四川郎酒销售有限公司", 2, "signed", 2_100_000, "", None, ""),
    ("安徽古井贡酒商贸公司", 1, "lost", 1_500_000, "", None, "竞争对手返利更高"),
    ("哈尔滨北方饮品有限公司", 2, "lost", 400_000, "", None, "今年预算冻结"),
]
PATH = {
    "prospect": [],
    "contacted": ["contacted"],
    "negotiating": ["contacted", "negotiating"],
    "signed": ["contacted", "negotiating", "signed"],
    "lost": ["contacted", "lost"],
}


def _pipeline(am1: User, am2: User) -> int:
    """Cards at every stage, moved there through the workflow so each has its stage history;
    the signed ones became key-account clients (codes KA…)."""
    from clients import pipeline

    if Lead.objects.exists():
        return 0
    today = timezone.localdate()
    for name, who, stage, volume, step, days, reason in PIPELINE:
        owner = am1 if who == 1 else am2
        lead = pipeline.lead_create(
            by=owner,
            owner=owner,
            name=name,
            expected_volume=Decimal(volume),
            next_step=step,
            next_step_on=today + timedelta(days=days) if days is not None else None,
        )
        for target in PATH[stage]:
            lead = pipeline.lead_move(lead=lead, stage=target, seen=lead.stage, by=owner, lost_reason=reason)
    return len(PIPELINE)


COST_NOTES = {
    "events": ["年度客户答谢会", "新品品鉴会"],
    "samples": ["样品寄送", "给采购人员的样品箱"],
    "rebates": ["季度返利", "二季度销量返利"],
    "travel": ["上门拜访差旅", "赴客户总部出差"],
    "other": ["礼品", "宣传册印制"],
}


def _costs(rng: random.Random) -> int:
    """A year and a half of cost entries for each demo key account, none in the future."""
    if KeyAccountCost.objects.exists():
        return 0
    today = timezone.localdate()
    rows = [
        KeyAccountCost(
            client=client,
            kind=kind,
            amount=Decimal(rng.randint(5, 300) * 100),
            incurred_on=today - timedelta(days=rng.randint(0, 540)),
            note=rng.choice(COST_NOTES[kind]),
            recorded_by=client.owner,
        )
        for client in Client.objects.filter(is_key_account=True).select_related("owner").order_by("code")
        for kind in rng.sample(list(COST_NOTES), k=4)
        for _ in range(rng.randint(1, 3))
    ]
    KeyAccountCost.objects.bulk_create(rows)
    return len(rows)


def _client(rng, code, name, kind, owner, territory, index) -> Client:
    now = timezone.now()
    client = Client.objects.create(
        code=code,
        name=name,
        kind=kind,
        owner=owner,
        territory=territory,
        status=rng.choice([Client.Status.ACTIVE] * 5 + [Client.Status.PROSPECT, Client.Status.DORMANT]),
        channel=rng.choice(Client.Channel.values),
        employer=name if kind != Client.Kind.INDIVIDUAL else rng.choice(COMPANIES),
        position=rng.choice(POSITIONS),
        address=f"北京市{territory.name[:2] if territory else ''}区建国路{index * 7}号",
        phone=f"010-{rng.randint(6000, 8999)} {rng.randint(1000, 9999)}",
        email=f"contact{index}@example.cn",
        is_key_account=index % 9 == 0,
        card_updated_at=now - timedelta(days=rng.randint(0, 400)),
    )
    for n in range(rng.randint(1, 3)):
        Contact.objects.create(
            client=client,
            name=rng.choice(PEOPLE),
            position=rng.choice(POSITIONS),
            phone=f"+86 13{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
            is_emergency=n == 0,
        )
    if client.is_key_account:
        KeyAccountProfile.objects.create(
            client=client,
            decision_makers=f"{rng.choice(PEOPLE)}（总经理），{rng.choice(PEOPLE)}（采购）",
            annual_volume=Decimal(rng.randint(50, 900) * 10000),
            service_commitments="每月上门拜访一次；24 小时响应投诉。",
            visit_cadence_days=rng.choice([7, 14, 30]),
        )
    return client


def _history(rng, client: Client, owner: User) -> None:
    now = timezone.now()
    today = timezone.localdate()
    for n in range(rng.randint(2, 6)):
        Interaction.objects.create(
            client=client,
            kind=rng.choice(Interaction.Kind.values),
            recorded_by=owner,
            occurred_at=now - timedelta(days=rng.randint(1, 300), hours=rng.randint(0, 8)),
            outcome=rng.choice(OUTCOMES),
            next_step="电话确认报价" if n == 0 else "",
        )
    # Some follow-ups are overdue, some due today, some planned: the reminder task has work.
    offset = rng.choice([-5, -1, 0, 3, 10, None, None])
    if offset is not None:
        Client.objects.filter(pk=client.pk).update(
            next_contact_date=today + timedelta(days=offset), next_step=rng.choice(["回访新品试用", "Send the quote"])
        )
    if rng.random() < 0.3:
        ProductFeedback.objects.create(
            client=client,
            product=rng.choice(["新款商务卡", "冷链配送服务", "Premium Tea Gift Box"]),
            feedback=rng.choice(["包装很好，价格偏高。", "Customers liked it; reorder planned."]),
            rating=rng.randint(2, 5),
            recorded_by=owner,
        )
    if rng.random() < 0.25:
        complaint = workflow.complaint_file(
            client=client,
            subject=rng.choice(["送货延迟", "发票开错", "Wrong item delivered", "服务态度问题"]),
            description="客户来电反映问题，要求尽快处理。",
            channel=rng.choice(["phone", "visit", "written"]),
            by=owner,
        )
        if rng.random() < 0.6:
            complaint = workflow.complaint_assign(complaint=complaint, assignee=owner, by=owner)
            if rng.random() < 0.5:
                workflow.complaint_resolve(complaint=complaint, resolution="已道歉并补发货物。", by=owner)


# The pre-launch survey of a new product (MKT-4). The brand and product are taken by code, so the
# brand plans' demo finds and reuses them.
SURVEY_TITLE = "黄山(新品)上市前客户调查"
SURVEY_QUESTIONS = [
    {
        "text": "您店里目前最好卖的价位段是？",
        "kind": "single",
        "choices": ["10元以下", "10–20元", "20–30元", "30元以上"],
    },
    {"text": "您希望新品通过哪些方式订货？", "kind": "multiple", "choices": ["电话订货", "客户经理上门", "网上订货"]},
    {"text": "您对黄山(新品)的兴趣有多大？", "kind": "scale"},
    {"text": "预计每月订货量（条）", "kind": "number", "min_value": Decimal("0"), "max_value": Decimal("500")},
    {"text": "对新品的包装、口味或价格有什么建议？", "kind": "text", "required": False},
]
SURVEY_SUGGESTIONS = ["希望有小包装", "价格再优惠一点", "包装很好看", "口味希望偏淡", ""]


def _survey() -> int:
    """One survey of the new 黄山 product, sent by the admin to the active clients, answered
    by about half of them: most by their account manager, some through their personal link."""
    from clients import surveys
    from clients.models import Brand, Product, Survey

    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        return 0
    brand, _new = Brand.objects.get_or_create(code="HM", defaults={"name_zh": "黄山", "name_en": "Huangshan"})
    product, _new = Product.objects.get_or_create(
        code="HM-XP-01",
        defaults={"brand": brand, "name_zh": "黄山(新品)", "name_en": "Huangshan (new)",
                  "launch_on": timezone.localdate() + timedelta(days=60)},
    )  # fmt: skip
    admin = User.objects.get(username="admin")
    survey = surveys.survey_create(
        by=admin,
        title=SURVEY_TITLE,
        product=product,
        intro="黄山(新品)计划两个月后上市。请花两分钟告诉我们您的看法，您的意见将决定首批铺货和定价。",
        deadline=timezone.localdate() + timedelta(days=21),
    )
    for question in SURVEY_QUESTIONS:
        surveys.question_add(survey=survey, by=admin, **question)
    surveys.survey_send(survey=survey, by=admin, params={"status": Client.Status.ACTIVE})
    rng = random.Random(20261130)
    questions = list(survey.questions.all())
    invitations = survey.invitations.select_related("client__owner").order_by("client__code")
    for index, invitation in enumerate(invitations):
        if index % 2:
            continue  # half have not answered yet
        suggestion = rng.choice(SURVEY_SUGGESTIONS)
        answers = {
            questions[0].field_name: rng.choice([0, 1, 1, 2, 3]),
            questions[1].field_name: rng.sample([0, 1, 2], k=rng.randint(1, 2)),
            questions[2].field_name: rng.choice([2, 3, 4, 4, 5]),
            questions[3].field_name: Decimal(rng.randint(1, 40) * 5),
            questions[4].field_name: suggestion,
        }
        if index % 3 == 0:  # the client answered through the link the account manager sent
            surveys.invitation_link_renew(invitation=invitation, by=invitation.client.owner)
            surveys.response_submit(invitation=invitation, answers=answers, via="link")
        else:
            surveys.response_submit(invitation=invitation, answers=answers, via="staff", by=invitation.client.owner)
    return 1 + survey.invitations.count()


# The catalogue (MKT-4): two tobacco brands, each with a cultivation plan. "HM-XP-01" is the new
# product the pre-launch survey demo asks about, so it is found (get_or_create) by its code.
BRANDS = [
    (
        "HM",
        "黄山",
        "Huangshan",
        [("HM-XP-01", "黄山(新品)", "Huangshan (new)", 18), ("HM-01", "黄山(经典)", "Huangshan Classic", 15)],
    ),
    ("YX", "玉溪", "Yuxi", [("YX-01", "玉溪(软)", "Yuxi Soft", 20), ("YX-02", "玉溪(硬)", "Yuxi Hard", 22)]),
]
# brand code -> (plan name, who plans it, the segment of its target clients)
BRAND_PLANS = {
    "HM": ("黄山新品培育计划", "manager", {"owner_username": "am1", "kind": Client.Kind.RETAIL}),
    "YX": ("玉溪终端铺货计划", "admin", {"owner_username": "am2", "kind": Client.Kind.RETAIL}),
}


def brand_demo_plans() -> list:
    """The demo brand plans, whose target clients grading's demo gives brand orders."""
    from clients.models import BrandPlan

    return list(BrandPlan.objects.filter(brand__code__in=BRAND_PLANS).select_related("brand").order_by("brand__code"))


def _brands() -> int:
    from clients import brand_plans
    from clients.models import Brand, BrandPlan, Product

    created = 0
    today = timezone.localdate()
    for code, name_zh, name_en, products in BRANDS:
        brand, new = Brand.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})
        created += new
        for index, (product_code, product_zh, product_en, margin) in enumerate(products):
            _product, new = Product.objects.get_or_create(
                code=product_code,
                defaults={
                    "brand": brand,
                    "name_zh": product_zh,
                    "name_en": product_en,
                    "margin": Decimal(margin),
                    "launch_on": date(today.year, 1, 1) if index == 0 else date(today.year - 3, 5, 1),
                },
            )
            created += new
        if BrandPlan.objects.filter(brand=brand).exists():
            continue
        plan_name, planner, segment = BRAND_PLANS[code]
        by = User.objects.get(username=planner)
        owner = User.objects.get(username=segment["owner_username"])
        start = brand_plans.month_start(today - timedelta(days=62))
        plan = brand_plans.brand_plan_create(
            brand=brand,
            by=by,
            name=plan_name,
            team=owner.team,
            start_month=start,
            end_month=brand_plans.months_between(start, today + timedelta(days=95))[-1],
            notes="目标：新品在重点零售终端上架，逐月扩大铺货点。",
        )
        brand_plans.brand_plan_targets_freeze(plan=plan, by=by, params={"owner": owner.pk, "kind": segment["kind"]})
        targets = plan.targets.count()
        for number, month in enumerate(brand_plans.months_between(plan.start_month, plan.end_month), start=1):
            brand_plans.milestone_save(
                plan=plan,
                by=by,
                month=month,
                distribution_points=min(targets, round(targets * number / 5)),
                sales_amount=Decimal(20000 * number),
            )
        created += 1
    return created
