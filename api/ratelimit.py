"""A small in-process rate limiter (sliding window per client) for public write endpoints.

One API process serves a province; a limit per client address and hour is enough to keep a
form from being flooded. Thread-safe (routers run in the thread pool).
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """At most ``limit`` calls per ``window_s`` seconds per key."""

    def __init__(self, limit: int, window_s: float = 3600.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window_s, clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record a call by ``key``; 0 when allowed, else the seconds until the next one is."""
        now = self.clock()
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) >= self.limit:
                return max(1.0, calls[0] + self.window - now)
            calls.append(now)
            if len(self._calls) > 10000:  # forget idle clients
                for k in [k for k, v in self._calls.items() if not v]:
                    del self._calls[k]
            return 0.0
