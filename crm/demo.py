"""Demo people, teams and territories for `manage.py seed_demo` (DESIGN.md "Demo users").

Later apps add their records through their own ``seed_demo`` functions; each one only
creates what is missing, so running the command twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from crm.models import Team, Territory, User
from crm.roles import Role

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo password (DESIGN.md)

TEAMS = ["销售一组", "销售二组"]
TERRITORIES = [
    ("dongcheng", "东城片区", "销售一组"),
    ("xicheng", "西城片区", "销售一组"),
    ("chaoyang", "朝阳片区", "销售二组"),
    ("haidian", "海淀片区", "销售二组"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    team: str | None = None
    territories: tuple[str, ...] = ()
    # Notifications reach each person in their own language: the foreign colleague reads English.
    language: str = "zh-hans"


DEMO_USERS = [
    DemoUser("admin", "系统管理员", Role.ADMIN),
    DemoUser("manager", "王丽", Role.MANAGER, "销售一组"),
    DemoUser("am1", "张伟", Role.ACCOUNT_MANAGER, "销售一组", ("dongcheng", "xicheng")),
    DemoUser("am2", "Emily Chen", Role.ACCOUNT_MANAGER, "销售二组", ("chaoyang", "haidian"), language="en"),
    DemoUser("frontdesk", "李娜", Role.FRONT_DESK),
    DemoUser("supervisor", "刘强", Role.ENGINEERING_SUPERVISOR),
    DemoUser("tech1", "陈师傅", Role.TECHNICIAN),
    DemoUser("tech2", "赵师傅", Role.TECHNICIAN),
    DemoUser("finance", "孙敏", Role.FINANCE),
    DemoUser("archivist", "周静", Role.CLIENT_SERVICES_SUPERVISOR),
    DemoUser("propmanager", "吴芳", Role.CLIENT_SERVICES_MANAGER),
]


@transaction.atomic
def seed_people() -> list[User]:
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    territories = {
        code: Territory.objects.get_or_create(code=code, defaults={"name": name, "team": teams[team]})[0]
        for code, name, team in TERRITORIES
    }
    users = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                first_name=spec.name,
                email=f"{spec.username}@example.com",
                role=spec.role,
                team=teams.get(spec.team) if spec.team else None,
                language=spec.language,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.territories.set([territories[code] for code in spec.territories])
        users.append(user)
    _seed_channels(users)
    return users


def _seed_channels(users: list[User]) -> None:
    """陈师傅 (tech1) gets his repair jobs on WeCom and by SMS, except at night (22:00–07:30),
    once those channels are configured (README "Configuration"); until then they are hidden."""
    from datetime import time

    from crm.models import Channel, NotificationPreference

    tech = next((user for user in users if user.username == "tech1"), None)
    if tech is None or tech.wecom_id:
        return
    tech.phone, tech.wecom_id = tech.phone or "13800138001", "ChenShiFu"
    tech.quiet_start, tech.quiet_end = time(22, 0), time(7, 30)
    tech.save(update_fields=["phone", "wecom_id", "quiet_start", "quiet_end"])
    for channel in (Channel.WECOM, Channel.SMS):
        NotificationPreference.objects.get_or_create(user=tech, kind="repairs", channel=channel)
