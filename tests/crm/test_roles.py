"""Roles live in one place and are mirrored by groups (crm/roles.py)."""

from django.contrib.auth.models import Group

from crm.roles import Role, group_name
from crm.services import role_groups_sync

# Written out here, not read from crm.roles: a change to who may see users must change this too.
EXPECTED_PERMISSIONS = {
    Role.ADMIN: set(),  # a superuser: every permission without a group
    Role.MANAGER: {"crm.view_user", "crm.view_team", "crm.view_territory"},
    Role.ACCOUNT_MANAGER: {"crm.view_territory"},
    Role.FRONT_DESK: set(),
    Role.ENGINEERING_SUPERVISOR: {"crm.view_user"},
    Role.TECHNICIAN: set(),
    Role.FINANCE: set(),
    Role.CLIENT_SERVICES_SUPERVISOR: set(),
    Role.CLIENT_SERVICES_MANAGER: set(),
}


def test_every_role_has_a_group_with_its_permissions(db):
    role_groups_sync()
    assert set(EXPECTED_PERMISSIONS) == set(Role.values)
    for role in Role.values:
        group = Group.objects.get(name=group_name(role))
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == EXPECTED_PERMISSIONS[role], role


def test_a_user_is_in_exactly_the_group_of_their_role(make_user):
    user = make_user(Role.FRONT_DESK)
    assert list(user.groups.values_list("name", flat=True)) == [group_name(Role.FRONT_DESK)]
    user.role = Role.FINANCE
    user.save()
    assert list(user.groups.values_list("name", flat=True)) == [group_name(Role.FINANCE)]


def test_manager_may_view_users_through_the_group(make_user):
    user = make_user(Role.MANAGER)
    assert user.has_perm("crm.view_user")
    assert not user.has_perm("crm.change_user")


def test_admin_rights_follow_the_role(make_user):
    user = make_user(Role.ADMIN)
    assert user.is_staff and user.is_superuser
    user.role = Role.MANAGER
    user.save()
    assert not user.is_staff and not user.is_superuser


def test_createsuperuser_makes_an_administrator(db):
    from crm.models import User

    user = User.objects.create_superuser("boss", "boss@example.com", "x-long-password")
    assert user.role == Role.ADMIN and user.is_superuser
