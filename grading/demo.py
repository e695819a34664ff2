"""Two years of ledger for the demo clients, so that every level occurs, and two grading runs
(a month apart) so the dashboard shows movers; for two key accounts, deliveries of every status,
a cancelled and a refunded order and complaints about orders (MKT-3). Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.demo import brand_demo_plans, service_demo_accounts
from clients.models import Client
from crm.models import User
from grading import deliveries, services
from grading.models import Delivery, PotentialAssessment, Receivable, SalesOrder

PRODUCTS = [("结算套餐", "0.18"), ("冷链配送", "0.08"), ("Premium Tea", "0.32"), ("办公用品", "0.05")]
REASONS = ["资金周转", "审批流程慢", "Disputed invoice", ""]


def seed() -> int:
    return _ledger() + _service() + _brand_orders() + _campaigns()


def _ledger() -> int:
    if SalesOrder.objects.exists():
        return 0
    rng = random.Random(6)
    today = timezone.localdate()
    clients = list(Client.objects.filter(code__startswith="C").order_by("code"))
    orders, invoices = [], []
    for index, client in enumerate(clients):
        if index % 11 == 10:
            continue  # a few new clients without history: graded on potential
        size = rng.choice([0.2, 0.5, 1, 3, 8])
        punctual = rng.random()
        for month in range(24):
            day = today - timedelta(days=30 * month + rng.randint(0, 20))
            for _ in range(rng.randint(1, 3)):
                product, margin = rng.choice(PRODUCTS)
                amount = Decimal(int(size * rng.randint(2000, 12000)))
                orders.append(
                    SalesOrder(
                        client=client,
                        ordered_on=day,
                        amount=amount,
                        quantity=amount / 100,
                        product=product,
                        margin=Decimal(margin),
                    )
                )
            due = day + timedelta(days=30)
            late = 0 if rng.random() < punctual else rng.choice([3, 10, 25, 60])
            paid = due + timedelta(days=late) if due + timedelta(days=late) <= today else None
            invoices.append(
                Receivable(
                    client=client,
                    invoice=f"INV-{client.code}-{month:02d}",
                    amount=amount,
                    due_on=due,
                    paid_on=paid,
                    delay_reason=rng.choice(REASONS) if late else "",
                )
            )
    with transaction.atomic():
        SalesOrder.objects.bulk_create(orders, batch_size=2000)
        Receivable.objects.bulk_create(invoices, batch_size=2000)
        for client in clients[10::11]:
            PotentialAssessment.objects.create(
                client=client,
                score=rng.randint(2, 5),
                reason=rng.choice(POTENTIAL_REASONS),
                assessed_by=client.owner,
            )
    manager = User.objects.get(username="manager")
    services.grading_run(as_of=today - timedelta(days=60))  # the nightly schedule
    services.grading_run(as_of=today - timedelta(days=30), by=manager)
    services.grading_run(as_of=today, by=manager)
    # A late order booked after this morning's run: "grade now" runs again the same day and
    # supersedes the morning's run (the runs list marks it; the timeline names the new run).
    if clients:
        SalesOrder.objects.create(
            client=clients[0], ordered_on=today, amount=Decimal(900000), product="追加订单", margin=Decimal("0.25")
        )
        services.grading_run(as_of=today, by=manager)
    return len(orders) + len(invoices)


POTENTIAL_REASONS = [
    "新开业，门店位置好，预计订货量大。",
    "园区二期扩建，明年起集中采购。",
    "刚建立联系，采购负责人意向中等，需继续跟进。",
]


# (status, carrier, waybill prefix, days after the order it left, days on the road or None, problem)
DELIVERIES = [
    (Delivery.Status.DELIVERED, "顺丰速运", "SF", 1, 2, ""),
    (Delivery.Status.DELIVERED, "德邦物流", "DPK", 2, 4, ""),
    (Delivery.Status.IN_TRANSIT, "德邦物流", "DPK", 1, None, ""),
    (Delivery.Status.SHIPPED, "京东物流", "JDL", 0, None, ""),
    (Delivery.Status.PROBLEM, "中通快递", "ZTO", 1, None, "外箱破损，两箱货物受潮，客户拒收。"),
]
COMPLAINTS = [
    ("到货破损", "冷链配送到货时外箱破损，部分货物受潮，要求补发。"),
    ("发票金额与订单不符", "开票金额比订单少了一箱的货款，请核对后重开发票。"),
]


def _service() -> int:
    """Deliveries and complaints about orders for the two demo key accounts."""
    if Delivery.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for client in service_demo_accounts():
            orders = list(
                SalesOrder.objects.filter(client=client, ordered_on__lte=today - timedelta(days=7)).order_by(
                    "-ordered_on", "-pk"
                )[: len(DELIVERIES) + 2]
            )
            if len(orders) < len(DELIVERIES) + 2:
                continue
            for order, status in zip(
                orders[-2:], (SalesOrder.Status.CANCELLED, SalesOrder.Status.REFUNDED), strict=True
            ):
                order.status = status
                order._history_user = client.owner
                order.save(update_fields=["status"])
            for number, (order, row) in enumerate(zip(orders[: len(DELIVERIES)], DELIVERIES, strict=True), start=1):
                status, carrier, prefix, after, days, problem = row
                shipped = min(order.ordered_on + timedelta(days=after), today)
                deliveries.delivery_record(
                    order=order,
                    by=client.owner,
                    status=status,
                    carrier=carrier,
                    tracking_number=f"{prefix}{client.pk:04d}{number:06d}",
                    shipped_on=shipped,
                    delivered_on=min(shipped + timedelta(days=days), today) if days is not None else None,
                    problem=problem,
                )
                created += 1
            problem_order = orders[len(DELIVERIES) - 1]
            for order, (subject, description) in zip((problem_order, orders[0]), COMPLAINTS, strict=True):
                deliveries.order_complaint_file(
                    order=order,
                    subject=subject,
                    description=description,
                    channel="phone",
                    by=client.owner,
                    assignee=client.owner,
                )
                created += 1
    return created


# (name, channel, product code, product name, days from today to start / end, hold-out %, segment,
# actual cost, budget, offer)
CAMPAIGNS = [
    ("春节订货会邀约", "event", "JS-TC-02", "结算套餐（升级版）", -170, -140, 10, {"kind": "corporate"}, 18500, 20000,
     "春节订货会现场签约，结算套餐升级版首年服务费八折。"),
    ("冷链配送电话推广", "phone", "LL-PS-02", "冷链配送（次日达）", -110, -80, 20, {"kind": "retail"}, 6200, 8000,
     "冷链次日达配送首月免运费，满五千元再送保温箱两只。"),
    ("会员短信优惠", "sms", "BG-YP-02", "办公用品年度套装", -60, -40, 10, {}, 1500, 2000,
     "年度办公用品套装会员价九折，回复 Y 即可预订。"),
    ("黄山新品上门推广", "traditional", "HM-XP-01", "黄山（新品）", -12, 18, 10, {}, 3000, 12000,
     "黄山新品上市，首批进货每条让利三元，上门陈列支持。"),
]  # fmt: skip
RESPONSES = [("interested", 25), ("ordered", 20), ("declined", 30), ("no_answer", 20), ("opt_out", 5)]
CONTACT_NOTES = {
    "interested": "客户有兴趣，要求下周送样品。",
    "ordered": "当场下单，约定下周送货。",
    "declined": "库存充足，暂不考虑。",
    "no_answer": "电话无人接听，改日再联系。",
    "opt_out": "客户表示不希望再接到推广。",
}


@transaction.atomic
def _campaigns() -> int:
    """Three finished campaigns on different channels and one running, each with its hold-out,
    contacts, responses and the orders of the product it pushed."""
    from clients import campaigns
    from clients.models import Brand, Campaign, CampaignContact, CampaignMember, Product

    if Campaign.objects.filter(name=CAMPAIGNS[0][0]).exists():
        return 0
    rng = random.Random(12)
    # Company-wide campaigns, launched by the administrator; each manager reads their team's part.
    manager = User.objects.get(username="admin")
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    brand, _new = Brand.objects.get_or_create(code="HM", defaults={"name_zh": "黄山", "name_en": "Huangshan"})
    house, _new = Brand.objects.get_or_create(code="ZY", defaults={"name_zh": "自营服务", "name_en": "Own services"})
    for name, channel, code, product_name, start, end, holdout, segment, cost, budget, offer in CAMPAIGNS:
        product, _new = Product.objects.get_or_create(
            code=code,
            defaults={"brand": brand if code.startswith("HM") else house, "name_zh": product_name,
                      "launch_on": today + timedelta(days=start), "margin": Decimal("18.00")},
        )  # fmt: skip
        with transaction.atomic():
            campaign = Campaign.objects.create(
                name=name, channel=channel, product=product, offer=offer, starts_on=today,
                ends_on=today + timedelta(days=max(end, 0)), budget=budget, actual_cost=cost,
                holdout_percent=holdout, created_by=manager,
            )  # fmt: skip
            campaigns.launch(campaign=campaign, params=segment, by=manager, rng=rng)
            launched = now + timedelta(days=start)
            Campaign.objects.filter(pk=campaign.pk).update(
                starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end), launched_at=launched
            )
            members = list(CampaignMember.objects.filter(campaign=campaign).select_related("client"))
            CampaignMember.objects.filter(campaign=campaign).update(added_at=launched)
            contacts, orders = [], []
            for member in members:
                if member.group == CampaignMember.Group.HOLDOUT:
                    if rng.random() < 0.12:  # some buy anyway: the baseline the lift is measured against
                        orders.append(
                            _order(member.client, product, today + timedelta(days=start + rng.randint(3, 40)))
                        )
                    continue
                span = max(min(end, 0) - start, 1)
                if campaign.is_broadcast:
                    reached_on = start
                    response = rng.choices([r for r, _w in RESPONSES], [w for _r, w in RESPONSES])[0]
                    response = "" if response == "no_answer" or rng.random() < 0.5 else response
                    attempts = []
                else:
                    if rng.random() < 0.15:
                        continue  # not contacted yet
                    reached_on = start + rng.randint(0, span)
                    response = rng.choices([r for r, _w in RESPONSES], [w for _r, w in RESPONSES])[0]
                    attempts = ["no_answer"] if rng.random() < 0.3 and response != "no_answer" else []
                    attempts.append(response)
                at = now + timedelta(days=reached_on)
                for index, answer in enumerate(attempts):
                    contacts.append(
                        CampaignContact(
                            member=member, method=channel, response=answer, note=CONTACT_NOTES[answer],
                            at=at - timedelta(days=len(attempts) - 1 - index, hours=2), by=member.owner or manager,
                        )
                    )  # fmt: skip
                answered = response and response != "no_answer"
                member.attempts = len(attempts)
                member.response = response if answered else ""
                member.responded_at = at if answered else None
                member.reached_at = at if (answered or campaign.is_broadcast) else None
                if response == "ordered" or (response == "interested" and rng.random() < 0.4):
                    order_day = today + timedelta(days=min(reached_on + rng.randint(0, 20), 0))
                    orders.append(_order(member.client, product, order_day))
                if response == "opt_out":
                    Client.objects.filter(pk=member.client_id).update(contact_opt_out_at=at)
            CampaignMember.objects.bulk_update(
                [m for m in members if m.group == CampaignMember.Group.TARGET],
                ["attempts", "response", "responded_at", "reached_at"],
                batch_size=500,
            )
            CampaignContact.objects.bulk_create(contacts)
            SalesOrder.objects.bulk_create(orders)
            created += 1 + len(members) + len(contacts) + len(orders)
    return created


def _order(client: Client, product, day) -> SalesOrder:
    amount = Decimal(random.Random(client.pk * 31 + day.toordinal()).randint(8, 60) * 100)
    return SalesOrder(
        client=client,
        ordered_on=day,
        amount=amount,
        quantity=amount / 100,
        product=product.code,
        margin=Decimal("0.18"),
    )


def _brand_orders() -> int:
    """Booked orders of the demo brands' products (MKT-4) since each plan's first month: most
    target clients buy, some more than once, a few non-target clients too, and one cancelled
    order that counts nowhere, so each plan page shows real progress. Idempotent."""
    plans = brand_demo_plans()
    codes = [code for plan in plans for code in plan.brand.products.values_list("code", flat=True)]
    if not plans or SalesOrder.objects.filter(product__in=codes).exists():
        return 0
    rng = random.Random(4)
    today = timezone.localdate()
    orders = []
    for plan in plans:
        products = list(plan.brand.products.values_list("code", flat=True))
        days = max((today - plan.start_month).days, 1)
        targets = list(plan.targets.select_related("client").order_by("client__code"))
        others = list(Client.objects.exclude(brand_plan_targets__plan=plan).order_by("code")[:3])
        buyers = [t.client for t in targets if rng.random() < 0.7] + others
        for client in buyers:
            for _ in range(rng.randint(1, 4)):
                amount = Decimal(rng.randint(30, 200) * 100)
                orders.append(
                    SalesOrder(
                        client=client,
                        ordered_on=plan.start_month + timedelta(days=rng.randrange(days)),
                        amount=amount,
                        quantity=amount / 250,
                        product=rng.choice(products),
                        margin=Decimal("0.18"),
                    )
                )
        if orders:
            orders[-1].status = SalesOrder.Status.CANCELLED
    SalesOrder.objects.bulk_create(orders)
    return len(orders)
