"""Per-organization rate limits of mutating requests, on the `limits` library."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from openkyc.errors import RateLimited, ServiceUnavailable
from openkyc.metrics import RATE_LIMIT_REFUSALS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateDecision:
    limit: int
    remaining: int
    reset_at: int

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


class OrganizationRateLimiter:
    """Counts each organization's mutating requests in fixed windows.

    ``memory://`` suits one process; point ``OPENKYC_RATE_LIMIT_STORAGE`` at Redis
    (``redis://host:6379``) when several processes serve the same organizations."""

    def __init__(self, rate: str, storage_uri: str) -> None:
        self.item: RateLimitItem = parse(rate)
        self.storage = storage_from_string(storage_uri)
        self.limiter = FixedWindowRateLimiter(self.storage)

    def check(self) -> None:
        """Raise unless the counters' storage answers (always, in memory)."""
        if not self.storage.check():
            raise ServiceUnavailable("The rate limit storage is unavailable; retry later")

    def hit(self, organization_id: str) -> RateDecision:
        try:
            allowed = self.limiter.hit(self.item, organization_id)
            stats = self.limiter.get_window_stats(self.item, organization_id)
        except RedisError as error:
            # Counting nothing would lift every limit; refusing until it is back keeps them.
            log.error("the rate limit storage is unavailable: %s", error)
            raise ServiceUnavailable(
                "The rate limit storage is unavailable; retry later", headers={"Retry-After": "5"}
            ) from error
        decision = RateDecision(self.item.amount, max(stats.remaining, 0), int(stats.reset_time))
        if not allowed:
            RATE_LIMIT_REFUSALS.inc()
            retry_after = max(decision.reset_at, int(time.time()) + 1)
            raise RateLimited(
                f"These credentials made more than {self.item.amount} changes in "
                f"{self.item.get_expiry()} seconds; retry after {retry_after}",
                headers={**decision.headers(), "X-RateLimit-Retry-After": str(retry_after)},
            )
        return decision
