from datetime import date

import pytest

from crm.models import Territory


@pytest.fixture
def north(team):
    return Territory.objects.create(code="north", name="北区", team=team)


@pytest.fixture
def south(team):
    return Territory.objects.create(code="south", name="南区", team=team)


# December 2026: 1 Dec is a Tuesday; 23 working days Monday–Friday (no calendar entries).
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def before_december():
    """'Today' for generation: the last day of November 2026."""
    return date(2026, 11, 30)
