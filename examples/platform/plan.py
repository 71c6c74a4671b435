"""The platform to generate, decided before anything is written: teams, their data, their
ETL recipe, their models and every training run, with the traps an audit must get right.

Pure and deterministic (a seed): the same parameters give the same platform, so the ground
truth can be recomputed and tests can reason about it.

Recipes (by team index, modulo 6), each a way training data can reach user-behaviour data:

0. ``direct``: ETL joins the team's own source with the company clickstream (UserBehavior).
1. ``join-two-up``: ETL joins own source and clickstream, then aggregates, then selects the
   features: the model reaches UserBehavior only through a join two steps up.
2. ``anonymised``: ETL anonymises the clickstream (step kind ANONYMIZE), which blocks the
   classification: the models do NOT reach UserBehavior.
3. ``spark``: a Spark job (recorded through the listener's event path) joins own source and
   clickstream into the feature file; the training runs read that file.
4. ``pii``: own source is PII, no clickstream: the models reach PII only.
5. ``plain``: nothing classified, except one model trained once on a byte-identical copy of a
   clickstream file (``cp``, outside any run): only that model version reaches UserBehavior,
   through the COPY atlas-ml infers.

Every model is retrained each month on that month's feature file (a newer data version); a
few runs fail (no model); the first run of each model records its compliance facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

TEAM_NAMES = (
    "payments", "search", "ads", "growth", "fraud", "recsys", "support", "logistics",
    "pricing", "marketing", "risk", "churn", "maps", "music", "video", "feeds",
    "identity", "messaging", "commerce", "travel", "health", "games", "news", "security",
)  # fmt: skip
RECIPES = ("direct", "join-two-up", "anonymised", "spark", "pii", "plain")
USER_BEHAVIOR = "UserBehavior"
PII = "PII"
MODELS_PER_TEAM = 4
FAILURE_EVERY = 31
"""About one run in this many fails (raises inside the run: recorded FAILED, no model)."""


@dataclass(frozen=True)
class Team:
    index: int
    name: str
    recipe: str
    own_classification: str | None
    models: tuple[str, ...]

    @property
    def source(self) -> str:
        return f"{self.name}-events"

    @property
    def table(self) -> str:
        return f"{self.name}_features"


@dataclass(frozen=True)
class Run:
    """One planned training run."""

    team: str
    model: str
    month: int
    index: int
    started: datetime
    fails: bool
    first_of_model: bool
    on_copy: bool = False
    """Trained on the byte-identical copy of a clickstream file (recipe ``plain``)."""

    @property
    def ended(self) -> datetime:
        return self.started + timedelta(minutes=20)


@dataclass
class Plan:
    teams: list[Team]
    months: int
    start: datetime
    runs: list[Run] = field(default_factory=list)
    seed: int = 7
    prefix: str = ""

    def month_start(self, month: int) -> datetime:
        year, index = divmod(self.start.month - 1 + month, 12)
        return self.start.replace(year=self.start.year + year, month=index + 1, day=1)

    def month_label(self, month: int) -> str:
        return self.month_start(month).strftime("%Y-%m")

    def team(self, name: str) -> Team:
        return next(t for t in self.teams if t.name == name)


def make_plan(
    teams: int = 24,
    scale: float = 1.0,
    months: int = 18,
    start: datetime | None = None,
    seed: int = 7,
    prefix: str = "",
) -> Plan:
    """The platform: ``teams`` teams over ``months`` months from ``start``; each model is
    trained ``round(2 * scale)`` times a month (at least once), so scale 1 with 24 teams and
    18 months records 3,456 training runs. ``prefix`` goes before every team name (and so
    every pipeline and model), to keep several platforms apart in one Atlas."""
    if not 1 <= teams <= len(TEAM_NAMES):
        raise ValueError(f"teams must be between 1 and {len(TEAM_NAMES)}")
    start = start or datetime(2024, 7, 1, tzinfo=timezone.utc)
    rng = random.Random(seed)
    chosen = []
    for index in range(teams):
        name = prefix + TEAM_NAMES[index]
        recipe = RECIPES[index % len(RECIPES)]
        own = PII if recipe == "pii" or (recipe == "direct" and index % 12 == 0) else None
        models = tuple(f"{name}-{kind}" for kind in ("ranker", "churn", "ltv", "anomaly"))
        chosen.append(Team(index, name, recipe, own, models[:MODELS_PER_TEAM]))
    plan = Plan(chosen, months, start, seed=seed, prefix=prefix)
    per_month = max(1, round(2 * scale))
    counter = 0
    for month in range(months):
        base = plan.month_start(month)
        for team in chosen:
            for _model_index, model in enumerate(team.models):
                for index in range(per_month):
                    counter += 1
                    day = 3 + (index * 24) // per_month + rng.randrange(0, max(1, 24 // per_month))
                    started = base + timedelta(days=day, hours=rng.randrange(0, 23))
                    plan.runs.append(
                        Run(
                            team=team.name,
                            model=model,
                            month=month,
                            index=index,
                            started=started,
                            fails=counter % FAILURE_EVERY == 0 and not (month == 0 and index == 0),
                            first_of_model=month == 0 and index == 0,
                        )
                    )
            if team.recipe == "plain" and month == months // 2:
                plan.runs.append(
                    Run(
                        team=team.name,
                        model=f"{team.name}-clicks-probe",
                        month=month,
                        index=0,
                        started=base + timedelta(days=27, hours=3),
                        fails=False,
                        first_of_model=True,
                        on_copy=True,
                    )
                )
    plan.runs.sort(key=lambda r: (r.started, r.team, r.model))
    return plan


def reaches(team: Team, run: Run) -> set[str]:
    """The classifications a run's training data carries (the ground truth rule)."""
    if run.on_copy:
        return {USER_BEHAVIOR}
    found: set[str] = set()
    if team.recipe in ("direct", "join-two-up", "spark"):
        found.add(USER_BEHAVIOR)
    if team.recipe in ("direct", "join-two-up", "spark", "pii") and team.own_classification:
        found.add(team.own_classification)
    return found
