"""Retry delays grow exponentially from retry_base, never exceed retry_max, and are jittered."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from monitor.alerts.backoff import retry_delay
from monitor.settings import DeliverySettings

SETTINGS = DeliverySettings.model_validate({"retry_base": "30s", "retry_max": "1h"})


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [
        (1, timedelta(seconds=30)),
        (2, timedelta(seconds=60)),
        (3, timedelta(seconds=120)),
        (7, timedelta(seconds=1920)),
        (8, timedelta(hours=1)),
        (1000, timedelta(hours=1)),
    ],
)
def test_the_delay_lies_between_half_and_all_of_the_capped_exponential(
    attempts: int, ceiling: timedelta
) -> None:
    rng = random.Random(attempts)
    delays = [retry_delay(attempts, SETTINGS, rng) for _ in range(200)]
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert len(set(delays)) > 1
