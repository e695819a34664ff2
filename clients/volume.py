"""Volume data for the client benchmarks: N clients, 2N contacts, 10N interactions (bulk inserts)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from time import perf_counter

from django.db import transaction
from django.utils import timezone

from clients.models import Client, Contact, Interaction
from crm.models import Team, Territory, User
from crm.roles import Role

BATCH = 2000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
WORDS = [
    "华信",
    "明达",
    "恒通",
    "鹏程",
    "云帆",
    "金陵",
    "渤海",
    "天府",
    "长江",
    "海润",
    "Golden",
    "Pacific",
    "Evergreen",
]
SUFFIX = ["科技有限公司", "贸易有限公司", "便利店", "超市", "物流有限公司", " Trading Co.", " Ltd."]


def add_arguments(parser) -> None:
    parser.add_argument("--clients", type=int, default=0, help="how many clients (2 contacts, 10 interactions each)")


def seed(options: dict, log: Callable[[str], None]) -> None:
    wanted = options["clients"]
    if not wanted:
        return
    owners = _account_managers()
    existing = Client.objects.filter(code__startswith="V").count()
    if existing >= wanted:
        log(f"clients: {existing} volume clients already there")
        return
    rng = random.Random(existing)
    links = User.territories.through.objects.filter(user__in=owners)
    territory_of = dict(links.values_list("user_id", "territory_id"))
    started = perf_counter()
    for start in range(existing, wanted, BATCH):
        with transaction.atomic():
            _batch(rng, range(start, min(start + BATCH, wanted)), owners, territory_of)
    log(
        f"clients: {wanted - existing} clients, {2 * (wanted - existing)} contacts and "
        f"{10 * (wanted - existing)} interactions in {perf_counter() - started:.0f} s"
    )


def _account_managers() -> list[User]:
    """20 account managers in 4 teams, besides the demo ones."""
    teams = [Team.objects.get_or_create(name=f"Volume team {n}")[0] for n in range(1, 5)]
    territories = [
        Territory.objects.get_or_create(
            code=f"vol-{n}", defaults={"name": f"Volume territory {n}", "team": teams[n % 4]}
        )[0]
        for n in range(1, 9)
    ]
    owners = []
    for n in range(1, 21):
        user, created = User.objects.get_or_create(
            username=f"vol-am-{n:02d}", defaults={"role": Role.ACCOUNT_MANAGER, "team": teams[n % 4]}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.territories.set([territories[n % 8]])
        owners.append(user)
    return owners


def _batch(rng: random.Random, numbers: range, owners: list[User], territory_of: dict[int, int]) -> None:
    now = timezone.now()

    clients = []
    for n in numbers:
        owner = owners[n % len(owners)]
        clients.append(
            Client(
                code=f"V{n:07d}",
                name=f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(SUFFIX)} {n}",
                kind=rng.choice(Client.Kind.values),
                status=rng.choice(Client.Status.values),
                channel=rng.choice(Client.Channel.values),
                owner=owner,
                territory_id=territory_of[owner.pk],
                phone=f"010-{rng.randint(6000, 8999)} {rng.randint(1000, 9999)}",
                is_key_account=rng.random() < 0.05,
                level=rng.choice(["", "A", "B", "C", "D"]),
                card_updated_at=now - timedelta(days=rng.randint(0, 720)),
                next_contact_date=(now + timedelta(days=rng.randint(-30, 60))).date() if rng.random() < 0.3 else None,
            )
        )
    Client.objects.bulk_create(clients, batch_size=BATCH)
    contacts, interactions = [], []
    for client in clients:
        for k in range(2):
            contacts.append(
                Contact(
                    client=client,
                    name=f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}",
                    phone=f"+86 13{rng.randint(0, 9)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                    is_emergency=k == 0,
                )
            )
        for _ in range(10):
            interactions.append(
                Interaction(
                    client=client,
                    kind=rng.choice(Interaction.Kind.values),
                    recorded_by_id=client.owner_id,
                    occurred_at=now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 600)),
                    outcome="回访客户，了解需求。",
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    Interaction.objects.bulk_create(interactions, batch_size=BATCH)
