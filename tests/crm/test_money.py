"""Money reads the same everywhere (X-1): grouped thousands and the currency of the reader's language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from crm.money import format_money


@pytest.mark.parametrize(
    "value, english, chinese",
    [
        (Decimal("1234.5"), "¥1,234.50", "1,234.50 元"),
        (Decimal("0"), "¥0.00", "0.00 元"),
        (1234567, "¥1,234,567.00", "1,234,567.00 元"),
        ("-80.456", "¥-80.46", "-80.46 元"),
        (None, "—", "—"),
        ("n/a", "—", "—"),
    ],
)
def test_amounts_are_grouped_with_the_currency_of_the_language(value, english, chinese):
    with translation.override("en"):
        assert format_money(value) == english
    with translation.override("zh-hans"):
        assert format_money(value) == chinese


def test_the_template_filter_takes_the_places():
    template = Template("{% load crm_tags %}{{ amount|money }} {{ amount|money:0 }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"amount": Decimal("98765.4")})) == "98,765.40 元 98,765 元"
