"""Two years of ledger for the demo clients, so that every level occurs, and two grading runs
(a month apart) so the dashboard shows movers. Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from crm.models import User
from grading import services
from grading.models import PotentialAssessment, Receivable, SalesOrder

PRODUCTS = [("结算套餐", "0.18"), ("冷链配送", "0.08"), ("Premium Tea", "0.32"), ("办公用品", "0.05")]
REASONS = ["资金周转", "审批流程慢", "Disputed invoice", ""]


def seed() -> int:
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
                reason="新开业，门店位置好，预计订货量大。",
                assessed_by=client.owner,
            )
    manager = User.objects.get(username="manager")
    services.grading_run(as_of=today - timedelta(days=30), by=manager)
    services.grading_run(as_of=today, by=manager)
    return len(orders) + len(invoices)
