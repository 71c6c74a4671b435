"""Atlas stores dates as epoch milliseconds; events carry ISO-8601 strings."""

from __future__ import annotations

from datetime import datetime, timezone


def epoch_millis(value: str | float | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)
