"""The request counter of pages without log-in (crm/ratelimit.py): a fixed window per key."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from crm import ratelimit


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_requests_past_the_limit_are_refused_until_the_window_ends():
    assert [ratelimit.allow("t", "k", limit=3, window=60) for _ in range(5)] == [True, True, True, False, False]
    cache.clear()  # the window ends: its counter is gone
    assert ratelimit.allow("t", "k", limit=3, window=60) is True


def test_keys_and_scopes_are_counted_apart():
    assert ratelimit.allow("a", "k", limit=1, window=60)
    assert not ratelimit.allow("a", "k", limit=1, window=60)
    assert ratelimit.allow("a", "other", limit=1, window=60)
    assert ratelimit.allow("b", "k", limit=1, window=60)


def test_a_counter_that_expired_between_add_and_incr_starts_a_new_window(monkeypatch):
    def expired(name, delta=1):
        raise ValueError(name)

    monkeypatch.setattr(cache, "incr", expired)
    assert ratelimit.allow("t", "k", limit=1, window=60) is True


def test_the_key_is_hashed_in_the_cache(monkeypatch):
    seen = []
    monkeypatch.setattr(cache, "add", lambda name, value, timeout: seen.append(name) or True)
    monkeypatch.setattr(cache, "incr", lambda name: 1)
    ratelimit.allow("survey-link", "secret-token-value", limit=5, window=60)
    assert seen and "secret-token-value" not in seen[0] and seen[0].startswith("ratelimit:survey-link:")


def test_the_address_is_read_as_django_axes_reads_it():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ratelimit.client_address(request) == "203.0.113.7"  # no proxy configured: the header is ignored
    with override_settings(
        AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        AXES_IPWARE_PROXY_COUNT=0,
        AXES_IPWARE_PROXY_ORDER="left-most",
    ):
        assert ratelimit.client_address(request) == "198.51.100.1"


def test_an_unreachable_cache_lets_the_request_through_uncounted(monkeypatch, caplog):
    from crm import ratelimit

    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        def incr(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(ratelimit, "cache", Down())
    assert all(ratelimit.allow("test", "k", limit=1, window=60) for _ in range(3))
    assert "the cache is unreachable" in caplog.text
