"""When to try a failed delivery again: exponential backoff with jitter, capped."""

from __future__ import annotations

import random
from datetime import timedelta

from monitor.settings import DeliverySettings


def retry_delay(attempts: int, settings: DeliverySettings, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failure (1 = first): retry_base·2^(attempts−1), capped at retry_max,
    then jittered down by up to half so that alerts failing together do not retry together."""
    exponent = min(max(attempts - 1, 0), 32)
    ceiling = min(settings.retry_base * (2**exponent), settings.retry_max)
    fraction = (rng or random.Random()).uniform(0.5, 1.0)
    return ceiling * fraction
