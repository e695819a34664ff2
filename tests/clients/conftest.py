import pytest

from crm.roles import Role
from tests.factories import ClientFactory, ContactFactory


@pytest.fixture
def alices_client(alice):
    client = ClientFactory(owner=alice, name="华信科技", code="HX001", phone="010-8888 1234")
    ContactFactory(client=client, name="李明", phone="+86 138 0013 8000", is_emergency=True)
    return client


@pytest.fixture
def other_manager(make_user, other_team):
    return make_user(Role.MANAGER, username="otherboss", team=other_team)


@pytest.fixture
def front_desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk")
