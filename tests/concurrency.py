"""The race gate's harness: the same request from many threads at the same instant.

Each thread has its own database connection (Django's are per thread) and its own logged-in
test client; a barrier releases them together. Tests using it need
``django_db(transaction=True)``: the threads must see each other's commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.contrib.messages import constants, get_messages
from django.db import connections
from django.http import HttpResponse
from django.test import Client

T = TypeVar("T")

# Enough requests to interleave on two cores, few enough for PostgreSQL's 100 connections
# with two test processes (and a colleague's run) at once.
RACERS = 12


def race(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in its own thread, all released at once; returns results in order.
    An exception in a call is returned, not raised, so the test can count outcomes."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call: Callable[[], T]) -> T:
        try:
            barrier.wait()
            return call()
        except Exception as error:  # the caller counts refusals
            return error  # type: ignore[return-value]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_race(posts: list[tuple[Any, str, dict[str, Any]]]) -> list[HttpResponse]:
    """POST (user, url, data) from as many threads at once; logins happen before the start."""
    clients = [(logged_in(user), url, data) for user, url, data in posts]
    connections.close_all()
    return race([lambda c=c, u=u, d=d: c.post(u, d) for c, u, d in clients])


def succeeded(response: HttpResponse) -> bool:
    """The page told its user the step was done (a success message and no error)."""
    levels = [message.level for message in get_messages(response.wsgi_request)]
    return constants.SUCCESS in levels and constants.ERROR not in levels


def assert_one_winner(responses: list[HttpResponse], *, loser_text: str | None = None) -> HttpResponse:
    """Exactly one request succeeded; every other was answered (no 5xx) and told so."""
    assert all(response.status_code < 500 for response in responses), [r.status_code for r in responses]
    winners = [response for response in responses if succeeded(response)]
    assert len(winners) == 1, f"{len(winners)} of {len(responses)} requests were told they succeeded"
    for response in responses:
        if response is winners[0]:
            continue
        told = [str(m) for m in get_messages(response.wsgi_request)] + [response.content.decode(errors="replace")]
        assert any(loser_text in text for text in told) if loser_text else not succeeded(response)
    return winners[0]
