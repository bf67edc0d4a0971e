"""Poller processes on one machine: how many, and how they share the fetch limits."""

from __future__ import annotations

import os

import pytest

from monitor.pipeline.pollers import poller_count, settings_for_poller
from monitor.settings import build_settings


def test_one_poller_per_core_unless_set() -> None:
    assert poller_count(build_settings()) == (os.cpu_count() or 1)
    assert poller_count(build_settings({"polling": {"processes": 3}})) == 3


@pytest.mark.parametrize(
    ("per_host", "total", "pollers", "each"),
    [(4, 128, 2, (2, 64)), (3, 32, 2, (1, 16)), (1, 1, 4, (1, 1)), (2, 32, 1, (2, 32))],
)
def test_fetch_limits_are_shared_out_so_a_host_sees_the_machines_limit(
    per_host: int, total: int, pollers: int, each: tuple[int, int]
) -> None:
    settings = build_settings({"fetch": {"per_host_concurrency": per_host, "max_concurrency": total}})
    shared = settings_for_poller(settings, pollers).fetch
    assert (shared.per_host_concurrency, shared.max_concurrency) == each
    assert settings.fetch.per_host_concurrency == per_host, "the machine's settings are left as they were"
