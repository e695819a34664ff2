import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archives import services
from crm.roles import Role
from tests.factories import TenancyFactory, UnitFactory

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


def pdf(name="doc.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="keeper")


@pytest.fixture
def desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk")


@pytest.fixture
def manager(make_user, team):
    """In the archive "the manager" who decides is the client-services manager (客务部经理, ARC-6)."""
    return make_user(Role.CLIENT_SERVICES_MANAGER, username="boss")


@pytest.fixture
def second_manager(make_user, team):
    return make_user(Role.CLIENT_SERVICES_MANAGER, username="boss2")


@pytest.fixture
def sales_manager(make_user, team):
    """The sales manager of alice's team: reads its team's clients' files, decides nothing."""
    return make_user(Role.MANAGER, username="salesboss", team=team)


@pytest.fixture
def tenancy(alice):
    return TenancyFactory(unit=UnitFactory(number="1203"), client__owner=alice, company_name="华泰律师事务所")


@pytest.fixture
def original(tenancy, desk):
    return services.document_file(
        unit=tenancy.unit,
        upload=pdf(),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=desk,
    )


@pytest.fixture
def working(tenancy, desk):
    return services.document_file(
        unit=tenancy.unit,
        upload=pdf("contacts.pdf"),
        title="Emergency contacts",
        category="contacts",
        dated=tenancy.move_in,
        kind="working",
        by=desk,
    )
