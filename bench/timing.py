"""Server-time measurement of pages, shared by every benchmark."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@dataclass
class PageTiming:
    label: str
    median_ms: float
    p95_ms: float
    queries: int
    status: int

    def line(self) -> str:
        return (
            f"{self.label:<40} median {self.median_ms:7.1f} ms   p95 {self.p95_ms:7.1f} ms   "
            f"queries {self.queries:3d}   HTTP {self.status}"
        )


def time_page(client: Client, url: str, *, label: str, repeat: int = 30, warmup: int = 3) -> PageTiming:
    """Median and p95 of the server's time for one URL (in-process: no network, no browser)."""
    for _ in range(warmup):
        client.get(url)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return PageTiming(label, statistics.median(samples), p95, len(queries), response.status_code)
