"""seed_demo creates the demo people of DESIGN.md once; a second run changes nothing."""

from django.core.management import call_command

from crm.demo import DEMO_PASSWORD, DEMO_USERS
from crm.models import Team, Territory, User
from crm.roles import Role


def snapshot():
    return (
        sorted(User.objects.values_list("username", "password", "role", "team__name")),
        Team.objects.count(),
        Territory.objects.count(),
        User.history.count(),
        property_side(),
    )


def property_side() -> tuple[int, int, int]:
    """Tenants' complaints, letters in the register, repair orders made from complaints (issue 13)."""
    from archives.models import IncomingLetter
    from clients.models import Complaint
    from repairs.models import RepairOrder

    return (
        Complaint.objects.filter(kind=Complaint.Kind.PROPERTY).count(),
        IncomingLetter.objects.count(),
        RepairOrder.objects.filter(complaint__isnull=False).count(),
    )


def test_seed_demo_creates_every_demo_user_and_is_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first
    usernames = {spec.username for spec in DEMO_USERS}
    assert usernames == {
        "admin",
        "manager",
        "am1",
        "am2",
        "frontdesk",
        "supervisor",
        "tech1",
        "tech2",
        "finance",
        "archivist",
        "propmanager",
    }
    complaints, letters, linked = property_side()
    assert complaints >= 5 and letters >= 3 and linked >= 1, "the demo shows the property side's complaints and letters"
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
    am1, am2, manager = (User.objects.get(username=name) for name in ("am1", "am2", "manager"))
    assert am1.team != am2.team, "the two account managers work in different teams"
    assert manager.team == am1.team and manager.role == Role.MANAGER
    assert User.objects.get(username="admin").is_superuser


def test_every_role_has_a_demo_user():
    assert {spec.role for spec in DEMO_USERS} == set(Role.values)


def test_demo_people_read_notifications_in_their_own_language_and_tech1_uses_wecom(db):
    from crm.models import NotificationPreference

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.get(username="am1").language == "zh-hans"
    assert User.objects.get(username="am2").language == "en", "the foreign colleague reads English"
    tech = User.objects.get(username="tech1")
    assert tech.wecom_id and tech.quiet_start and tech.quiet_end
    assert set(NotificationPreference.objects.filter(user=tech).values_list("kind", "channel")) == {
        ("repairs", "wecom"),
        ("repairs", "sms"),
    }
