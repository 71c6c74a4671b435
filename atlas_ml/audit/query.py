"""The audit's question, checked against Atlas before any work: which classification
(and its subtypes), which time window, which team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from atlas_ml.client import AtlasClient
from atlas_ml.errors import InvalidWindow, QueryError, UnknownClassification, UnknownTeam
from atlas_ml.provenance.model import TRAINING_RUN

_DATE_HELP = "a date (2025-12-01) or an ISO-8601 time (2025-12-01T08:00:00Z; no zone = UTC)"


def parse_moment(text: str | datetime | date, option: str = "time") -> datetime:
    """A point in time from what a user types; naive times are UTC."""
    if isinstance(text, datetime):
        moment = text
    elif isinstance(text, date):
        moment = datetime(text.year, text.month, text.day)
    else:
        value = text.strip()
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise QueryError(f"{option} {text!r} is not {_DATE_HELP}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditQuery:
    """Model versions trained in ``[since, until)`` on data classified ``classification``
    (or one of its sub-classifications), by ``team`` when given."""

    classification: str
    since: datetime
    until: datetime
    team: str | None = None
    names: tuple[str, ...] = field(default=())
    """The classification and its sub-classifications: each counts."""

    def describe(self) -> str:
        sub = [n for n in self.names if n != self.classification]
        what = self.classification + (f" (or {', '.join(sub)})" if sub else "")
        team = f" by team {self.team}" if self.team else ""
        return (
            f"model versions trained{team} between {iso(self.since)} and {iso(self.until)} "
            f"on data classified {what}, directly or through any upstream step"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification,
            "includes": list(self.names),
            "since": iso(self.since),
            "until": iso(self.until),
            "team": self.team,
            "description": self.describe(),
        }


def make_query(
    client: AtlasClient,
    classification: str,
    since: str | datetime | date,
    until: str | datetime | date | None = None,
    team: str | None = None,
    now: datetime | None = None,
) -> AuditQuery:
    """Check the question against Atlas: raises :class:`UnknownClassification`,
    :class:`InvalidWindow` or :class:`UnknownTeam` (each one line naming the fix)."""
    start = parse_moment(since, "--since")
    end = parse_moment(until, "--until") if until is not None else now or datetime.now(timezone.utc)
    if start >= end:
        raise InvalidWindow(
            f"--since {iso(start)} is not before --until {iso(end)}: give a window that "
            "starts before it ends"
        )
    names = classification_family(client, classification)
    if team is not None and not _team_has_runs(client, team):
        raise UnknownTeam(
            f"no training run in Atlas at {client.config.url} names team {team!r} (team names "
            "are matched exactly, case included): check the spelling, or leave out --team"
        )
    return AuditQuery(classification, start, end, team, names)


def classification_family(client: AtlasClient, name: str) -> tuple[str, ...]:
    """``name`` and every classification below it (Atlas's search counts them too)."""
    defs = client.typedefs.get_all(type="classification").get("classificationDefs") or []
    parents = {str(d["name"]): [str(s) for s in d.get("superTypes") or []] for d in defs}
    if name not in parents:
        close = [n for n in sorted(parents) if n.lower() == name.lower()]
        hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(sorted(parents))}"
        raise UnknownClassification(
            f"Atlas at {client.config.url} has no classification {name!r} ({hint})"
        )
    family = {name}
    grew = True
    while grew:
        grew = False
        for child, supers in parents.items():
            if child not in family and family.intersection(supers):
                family.add(child)
                grew = True
    return (name, *sorted(family - {name}))


def _team_has_runs(client: AtlasClient, team: str) -> bool:
    equals = {"attributeName": "team", "operator": "eq", "attributeValue": team}
    hits = client.search.basic(
        TRAINING_RUN, entity_filters=equals, attributes=["team"], sort_by=None, limit=5
    )
    return any((h.get("attributes") or {}).get("team") == team for h in hits)
