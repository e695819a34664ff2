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
def second_manager(make_user, team):
    return make_user(Role.MANAGER, username="boss2", team=team)


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
