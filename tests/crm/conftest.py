import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archives import services
from crm.roles import Role
from tests.archives.conftest import PDF
from tests.factories import TenancyFactory


@pytest.fixture
def committed_original(transactional_db, settings, tmp_path, make_user):
    """An original document, committed: other sessions (another role, pg_dump) see it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    tenancy = TenancyFactory()
    return services.document_file(
        unit=tenancy.unit,
        upload=SimpleUploadedFile("lease.pdf", PDF),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=make_user(Role.FRONT_DESK),
    )
