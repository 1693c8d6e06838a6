"""Per-key and per-address rate limits for the integration API: token buckets.

Each bucket holds up to ``burst`` requests and refills at ``per_minute / 60`` a
second. A request that finds its bucket empty is answered 429 with ``Retry-After``:
the whole seconds until one request's worth has refilled.

The buckets live in the API process. With several processes behind a load balancer
each enforces the limit on what it sees, so a client spread over ``n`` processes gets
at most ``n`` times the limit; set the limits with that in mind (or pin clients to a
process at the balancer).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Bucket", "RateLimiter", "RateLimits", "limits_from_env"]


@dataclass(frozen=True)
class RateLimits:
    per_key_per_minute: float = 600.0
    per_ip_per_minute: float = 1200.0
    burst_key: int = 60
    burst_ip: int = 120


def limits_from_env() -> RateLimits:
    """Limits from ``KIOSK_SERVER_RATE_PER_KEY`` / ``KIOSK_SERVER_RATE_PER_IP`` (per minute)."""
    defaults = RateLimits()

    def number(name: str, default: float) -> float:
        text = os.environ.get(name)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not a number of requests per minute") from None
        if value <= 0:
            raise ValueError(f"{name} must be above 0 requests per minute, not {text}")
        return value

    per_key = number("KIOSK_SERVER_RATE_PER_KEY", defaults.per_key_per_minute)
    per_ip = number("KIOSK_SERVER_RATE_PER_IP", defaults.per_ip_per_minute)
    return RateLimits(per_key, per_ip, max(1, int(per_key / 10)), max(1, int(per_ip / 10)))


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    stamp: float

    def take(self, now: float) -> float:
        """Take one request; 0.0 if it may go, else the seconds until it may."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second


@dataclass
class RateLimiter:
    """Buckets by name (``key:<id>`` or ``ip:<address>``), the least recently used
    forgotten beyond ``max_buckets`` so that a flood of addresses cannot fill memory."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    max_buckets: int = 100_000
    _buckets: OrderedDict[str, Bucket] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, name: str, per_minute: float, burst: int) -> int:
        """0 when the request may go, else ``Retry-After`` in whole seconds (≥ 1)."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.pop(name, None)
            if bucket is None:
                bucket = Bucket(float(burst), per_minute / 60.0, float(burst), now)
            self._buckets[name] = bucket
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
            wait = bucket.take(now)
        return 0 if wait == 0.0 else max(1, math.ceil(wait))

    def for_address(self, address: str) -> int:
        return self.retry_after(
            f"ip:{address}", self.limits.per_ip_per_minute, self.limits.burst_ip
        )

    def for_key(self, key_id: str) -> int:
        return self.retry_after(
            f"key:{key_id}", self.limits.per_key_per_minute, self.limits.burst_key
        )
