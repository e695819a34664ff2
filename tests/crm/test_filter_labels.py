"""Filter forms speak the reader's language: an empty choice reads "All", never Django's
"---------", and sort options are "Name (descending)" translated, not django-filter's English."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clients import selectors
from clients.filters import ClientFilter

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", html)


@pytest.mark.parametrize(
    "language, everything, descending", [("en", "All", "Name (descending)"), ("zh-hans", "全部", "（降序）")]
)
def test_client_filters_name_the_empty_choice_and_descending_sort_in_the_readers_language(
    alice, language, everything, descending
):
    with translation.override(language):
        html = str(ClientFilter({}, queryset=selectors.client_list(alice), user=alice).form)
    options = _options(html)
    assert "---------" not in html
    assert everything in options
    assert any(descending in option for option in options)
    if language != "en":
        assert not any("descending" in option for option in options)


def test_the_sort_label_follows_the_language_of_each_request(client, alice):
    client.force_login(alice)
    english = client.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "(descending)" in english
    assert "(descending)" not in chinese and "降序" in chinese
    assert "---------" not in english + chinese
