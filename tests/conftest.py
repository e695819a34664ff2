import pytest

from crm.roles import Role
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def team(db):
    return TeamFactory(name="East")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="West")


@pytest.fixture
def make_user(db):
    def make(role: str = Role.ACCOUNT_MANAGER, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


# The permission triad of STYLE.md: an owner, a teammate and an outsider.
@pytest.fixture
def alice(make_user, team):
    return make_user(username="alice", team=team)


@pytest.fixture
def bob(make_user, team):
    return make_user(username="bob", team=team)


@pytest.fixture
def charlie(make_user, other_team):
    return make_user(username="charlie", team=other_team)


@pytest.fixture
def manager(make_user, team):
    return make_user(Role.MANAGER, username="boss", team=team)


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="root")
