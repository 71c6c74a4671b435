"""Record the planned platform through atlas-ml's own public API and the Spark listener's
event path, into a spool (delivered afterwards in bulk by ``generate.py``).

Files are real (small CSVs under the output folder), so every dataset version carries real
fingerprints and ``atlas-ml verify`` can re-read them. Month by month, as a platform lives:
the data platform lands that month's raw files (and classifies them), each team's ETL turns
them into that month's feature file (a ``pipeline_run`` with its steps, or a Spark job whose
event is the listener's), then the month's training runs read it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from plan import PII, USER_BEHAVIOR, Plan, Run, Team, reaches

from atlas_ml import DatasetRecord, training_run
from atlas_ml.delivery import Spool
from atlas_ml.events.facets import SPARK, facet
from atlas_ml.events.run_events import event_time
from atlas_ml.fingerprints.datasets import describe_path
from atlas_ml.tracking import pipeline_run

ROWS = 24
PLATFORM_TEAM = "data-platform"
_RISK = ("HIGH", "LIMITED", "MINIMAL")


class PlannedFailure(RuntimeError):
    """A training run of the plan that fails (out of memory), recorded as FAILED."""


@dataclass
class Recorder:
    plan: Plan
    root: Path
    spool: Spool
    truth: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)
    _records: dict[str, DatasetRecord] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=lambda: random.Random(7))
    on_run: Callable[[int], None] | None = None

    # --- files --------------------------------------------------------------------------
    def _write_csv(self, path: Path, header: list[str], rows: list[list[Any]]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    def record_of(self, path: Path, classification: str | None = None) -> DatasetRecord:
        """A file's dataset version record, fingerprinted once per file."""
        key = str(path)
        record = self._records.get(key)
        if record is None:
            record = describe_path(path)
            if classification:
                record.classify(classification)
            self._records[key] = record
        return record

    def clickstream(self, month: int) -> Path:
        return self.root / "raw" / "clickstream" / f"clickstream-{self.plan.month_label(month)}.csv"

    def own_source(self, team: Team, month: int) -> Path:
        label = self.plan.month_label(month)
        return self.root / "raw" / team.name / f"{team.source}-{label}.csv"

    def features(self, team: Team, month: int, split: str = "") -> Path:
        label = self.plan.month_label(month)
        suffix = f"-{split}" if split else ""
        return self.root / "features" / team.name / f"{team.table}-{label}{suffix}.csv"

    # --- a month ------------------------------------------------------------------------
    def month(self, month: int) -> None:
        # The same seed gives the same bytes: the tests' expectations (which month's data
        # differs from which) hold in every session. Two platforms recorded into one Atlas
        # with the same seed hold byte-identical files, which atlas-ml links as copies of each
        # other: give them different seeds (generate.py --seed) to keep them apart.
        rng = random.Random(self.plan.seed * 1000 + month)
        label = self.plan.month_label(month)
        clicks = self._write_csv(
            self.clickstream(month),
            ["user_id", "page", "dwell_ms", "ts"],
            [
                [
                    rng.randrange(1000),
                    f"/p/{rng.randrange(50)}",
                    rng.randrange(10, 9000),
                    f"{label}-{d:02d}",
                ]
                for d in range(1, ROWS + 1)
            ],
        )
        for team in self.plan.teams:
            self._write_csv(
                self.own_source(team, month),
                ["user_id", "email", "amount", "country"],
                [
                    [
                        rng.randrange(1000),
                        f"u{rng.randrange(1000)}@example.com",
                        rng.randrange(1, 500),
                        rng.choice(["DE", "FR", "US", "JP"]),
                    ]
                    for _ in range(ROWS)
                ],
            )
        self.land(month, clicks)
        for team in self.plan.teams:
            if team.recipe == "spark":
                self.spark_etl(team, month)
            else:
                self.python_etl(team, month)
        for run in [r for r in self.plan.runs if r.month == month]:
            self.train(run)

    def land(self, month: int, clicks: Path) -> None:
        """The data platform lands the month's raw files and classifies them."""
        start = self.plan.month_start(month) + timedelta(hours=1)
        with pipeline_run(
            f"{self.plan.prefix}raw-landing",
            team=self.plan.prefix + PLATFORM_TEAM,
            reason="Land the month's raw exports and record their classification.",
            deliver=False,
            spool=self.spool,
            started_at=start,
            ended_at=start + timedelta(minutes=30),
        ) as run:
            run.use(self.record_of(clicks, USER_BEHAVIOR), role="raw")
            for team in self.plan.teams:
                run.use(
                    self.record_of(self.own_source(team, month), team.own_classification),
                    role="raw",
                )

    # --- ETL ----------------------------------------------------------------------------
    def python_etl(self, team: Team, month: int) -> None:
        start = self.plan.month_start(month) + timedelta(days=1, hours=team.index % 12)
        own = self.own_source(team, month)
        clicks = self.clickstream(month)
        with pipeline_run(
            f"{team.name}-features",
            team=team.name,
            reason=f"Monthly feature table of team {team.name}.",
            deliver=False,
            spool=self.spool,
            started_at=start,
            ended_at=start + timedelta(hours=1),
        ) as run:
            moment = _Clock(start)
            recipe = _RECIPES[team.recipe]
            recipe(self, run, team, month, own, clicks, moment)

    def spark_etl(self, team: Team, month: int) -> None:
        """The feature job of a Spark team, as the JVM listener records it: one event per
        root SQL execution, inputs and outputs as paths."""
        own = pd.read_csv(self.own_source(team, month))
        clicks = pd.read_csv(self.clickstream(month))
        joined = own.merge(clicks, on="user_id", how="left").fillna({"dwell_ms": 0})
        per_user = joined.groupby("user_id", as_index=False).agg(
            amount=("amount", "sum"), visits=("page", "count"), dwell=("dwell_ms", "mean")
        )
        features, test = self._split_to_files(team, month, per_user)
        start = self.plan.month_start(month) + timedelta(days=1, hours=6)
        app = f"application_{int(start.timestamp())}_{team.index:04d}"
        code = (
            {"codeRevision": f"{team.index:02d}{month:02d}" + "ab" * 18} if team.index % 2 else {}
        )
        event = {
            "eventType": "COMPLETE",
            "eventTime": event_time(start + timedelta(minutes=12)),
            "producer": "https://github.com/atlas-ml/atlas-ml/spark_hooks",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {
                "runId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{app}/1")),
                "facets": {
                    SPARK: facet(
                        SPARK,
                        applicationId=app,
                        appName=f"{team.name}-features",
                        rootExecutionId=1,
                        mode="overwrite",
                        format="csv",
                        team=team.name,
                        owner=f"{team.name}-oncall",
                        codeReference=f"git@example.com:{team.name}/features.git#jobs/features.py",
                        **code,
                    )
                },
            },
            "job": {"namespace": "spark", "name": f"{team.name}-features.execute_insert"},
            "inputs": [
                {"namespace": "file", "name": str(self.own_source(team, month))},
                {"namespace": "file", "name": str(self.clickstream(month))},
            ],
            "outputs": [
                {"namespace": "file", "name": str(features)},
                {"namespace": "file", "name": str(test)},
            ],
        }
        self.spool.write(event)

    def _split_to_files(self, team: Team, month: int, frame: pd.DataFrame) -> tuple[Path, Path]:
        cut = max(1, len(frame) * 3 // 4)
        features = self.features(team, month)
        test = self.features(team, month, "test")
        features.parent.mkdir(parents=True, exist_ok=True)
        frame.iloc[:cut].to_csv(features, index=False)
        frame.iloc[cut:].to_csv(test, index=False)
        return features, test

    # --- training -----------------------------------------------------------------------
    def train(self, planned: Run) -> None:
        team = self.plan.team(planned.team)
        if planned.on_copy:
            data = self.copy_of_clickstream(team, planned.month)
            test = None
        else:
            data = self.record_of(self.features(team, planned.month))
            test = self.record_of(self.features(team, planned.month, "test"))
        seed = f"{planned.model}/{planned.month}/{planned.index}/{self.plan.seed}"
        artifact = (
            self.root
            / "models"
            / team.name
            / f"{planned.model}-{planned.month:02d}-{planned.index}.bin"
        )
        artifact.parent.mkdir(parents=True, exist_ok=True)
        artifact.write_bytes(hashlib.sha256(seed.encode()).digest() * 8)
        compliance = None
        if planned.first_of_model:
            compliance = {
                "purpose": f"{planned.model.split('-', 1)[1]} scoring for {team.name}; "
                "not for credit decisions",
                "risk": _RISK[team.index % len(_RISK)],
                "approver": f"{team.name}-lead@example.com",
                "approved_on": planned.started.date().isoformat(),
            }
        entry: dict[str, Any] = {
            "team": team.name,
            "model": planned.model,
            "month": planned.month,
            "start": planned.started.isoformat(),
            "status": "FAILED" if planned.fails else "SUCCEEDED",
            "reaches": sorted(reaches(team, planned)),
            "datasets": [
                {
                    "uri": data.location,
                    "manifestRootHash": data.manifest.root_hash if data.manifest else None,
                    "role": "train",
                }
            ],
            "recipe": team.recipe,
            "traps": _traps(team, planned),
            "artifactSha256": None,
        }
        rng = random.Random(seed)
        try:
            with training_run(
                planned.model,
                team=team.name,
                reason=f"Monthly retrain of {planned.model} on the newest feature table.",
                deliver=False,
                spool=self.spool,
                compliance=compliance,
                started_at=planned.started,
                ended_at=planned.ended,
            ) as run:
                entry["runId"] = run.run_id
                run.use(data, role="train")
                run.log_params(
                    learning_rate=round(0.01 * (1 + planned.index), 3),
                    max_depth=4 + planned.month % 3,
                    month=self.plan.month_label(planned.month),
                )
                if planned.fails:
                    raise PlannedFailure("executor lost: out of memory")
                if test is not None:
                    run.log_metrics(
                        {"auc": round(0.7 + rng.random() / 5, 4)}, dataset=test, role="test"
                    )
                model = run.log_model(str(artifact), name=planned.model)
                entry["artifactSha256"] = model.artifact.sha256
        except PlannedFailure:
            pass
        self.truth.append(entry)
        if self.on_run is not None:
            self.on_run(len(self.truth))

    def copy_of_clickstream(self, team: Team, month: int) -> DatasetRecord:
        """A byte-identical copy of a classified clickstream file, made with ``cp`` outside
        any run (so nothing records the copy itself)."""
        original = self.clickstream(month)
        copy = self.root / "lake" / team.name / "clicks-sample.csv"
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, copy)
        record = self.record_of(copy)
        self.copies.append({"team": team.name, "original": str(original), "copy": str(copy)})
        return record


@dataclass
class _Clock:
    """Step times inside an ETL run: each step ten minutes after the previous one."""

    now: datetime

    def next(self) -> tuple[datetime, datetime]:
        started = self.now
        self.now = started + timedelta(minutes=10)
        return started, self.now


def _traps(team: Team, run: Run) -> list[str]:
    traps = []
    if run.on_copy:
        traps.append("byte-identical copy")
    if team.recipe == "join-two-up":
        traps.append("join two steps up")
    if team.recipe == "anonymised":
        traps.append("anonymised (blocked)")
    if run.fails:
        traps.append("failed run")
    if not run.first_of_model:
        traps.append("retrain on newer data")
    return traps


# --- the ETL recipes (their source is recorded as each step's code) ------------------------


def etl_direct(rec, run, team, month, own, clicks, clock):
    """Join the team's own events with the company clickstream, per user."""
    own_df, clicks_df = pd.read_csv(own), pd.read_csv(clicks)
    joined = own_df.merge(clicks_df, on="user_id", how="left").fillna({"dwell_ms": 0})
    per_user = joined.groupby("user_id", as_index=False).agg(
        amount=("amount", "sum"), visits=("page", "count")
    )
    features, test = rec._split_to_files(team, month, per_user)
    started, ended = clock.next()
    run.step(
        "join_clicks",
        inputs=[rec.record_of(own, team.own_classification), rec.record_of(clicks, USER_BEHAVIOR)],
        outputs={"features": rec.record_of(features), "test": rec.record_of(test)},
        reason="Spend and visits per user: own events joined with the clickstream.",
        kind="JOIN",
        params={"how": "left", "key": "user_id"},
        started_at=started,
        ended_at=ended,
    )
    return features, test


def etl_join_two_up(rec, run, team, month, own, clicks, clock):
    """Join, then aggregate, then select: the clickstream is two steps up of the features."""
    own_df, clicks_df = pd.read_csv(own), pd.read_csv(clicks)
    joined = own_df.merge(clicks_df, on="user_id", how="inner")
    started, ended = clock.next()
    (joined_rec,) = run.step(
        "join_clicks",
        inputs=[rec.record_of(own, team.own_classification), rec.record_of(clicks, USER_BEHAVIOR)],
        outputs={"joined": joined},
        reason="Users seen in both sources.",
        kind="JOIN",
        params={"how": "inner", "key": "user_id"},
        started_at=started,
        ended_at=ended,
    )
    per_country = joined.groupby("country", as_index=False).agg(
        amount=("amount", "mean"), dwell=("dwell_ms", "mean")
    )
    started, ended = clock.next()
    (agg_rec,) = run.step(
        "aggregate",
        inputs=[joined_rec],
        outputs={"per_country": per_country},
        reason="Mean spend and dwell time per country.",
        kind="AGGREGATE",
        started_at=started,
        ended_at=ended,
    )
    features, test = rec._split_to_files(team, month, per_country[["country", "amount", "dwell"]])
    started, ended = clock.next()
    run.step(
        "select_features",
        inputs=[agg_rec],
        outputs={"features": rec.record_of(features), "test": rec.record_of(test)},
        reason="Keep the model's columns and hold out a quarter for evaluation.",
        kind="SPLIT",
        started_at=started,
        ended_at=ended,
    )
    return features, test


def etl_anonymised(rec, run, team, month, own, clicks, clock):
    """Anonymise the clickstream (hashed ids, coarse dwell buckets) before using it."""
    clicks_df = pd.read_csv(clicks)
    anon = pd.DataFrame(
        {
            "user_hash": clicks_df["user_id"].map(
                lambda u: hashlib.sha256(f"salt{u}".encode()).hexdigest()[:12]
            ),
            "dwell_bucket": (clicks_df["dwell_ms"] // 1000).astype(int),
        }
    )
    started, ended = clock.next()
    (anon_rec,) = run.step(
        "anonymise",
        inputs=[rec.record_of(clicks, USER_BEHAVIOR)],
        outputs={"anonymised": anon},
        reason="Salted hashes instead of user ids, dwell in whole seconds: no longer user "
        "behaviour data.",
        kind="ANONYMIZE",
        params={"salt": "rotated monthly"},
        started_at=started,
        ended_at=ended,
    )
    buckets = anon.groupby("dwell_bucket", as_index=False).agg(users=("user_hash", "nunique"))
    features, test = rec._split_to_files(team, month, buckets)
    started, ended = clock.next()
    run.step(
        "bucket_counts",
        inputs=[anon_rec],
        outputs={"features": rec.record_of(features), "test": rec.record_of(test)},
        reason="Users per dwell bucket.",
        kind="AGGREGATE",
        started_at=started,
        ended_at=ended,
    )
    return features, test


def etl_own(rec, run, team, month, own, clicks, clock):
    """Clean the team's own source: nothing else goes in."""
    own_df = pd.read_csv(own)
    clean = (
        own_df[own_df["amount"] > 0]
        .groupby("user_id", as_index=False)
        .agg(amount=("amount", "sum"))
    )
    features, test = rec._split_to_files(team, month, clean)
    started, ended = clock.next()
    run.step(
        "clean",
        inputs=[rec.record_of(own, team.own_classification)],
        outputs={"features": rec.record_of(features), "test": rec.record_of(test)},
        reason="Positive amounts only, summed per user.",
        kind="CLEAN",
        started_at=started,
        ended_at=ended,
    )
    return features, test


_RECIPES: dict[str, Callable[..., tuple[Path, Path]]] = {
    "direct": etl_direct,
    "join-two-up": etl_join_two_up,
    "anonymised": etl_anonymised,
    "pii": etl_own,
    "plain": etl_own,
}


def write_truth(recorder: Recorder, path: Path, parameters: dict[str, Any]) -> None:
    plan = recorder.plan
    body = {
        "generator": "examples/platform/generate.py",
        "parameters": parameters,
        "start": plan.start.isoformat(),
        "months": [plan.month_label(m) for m in range(plan.months)],
        "teams": [
            {
                "name": t.name,
                "recipe": t.recipe,
                "ownClassification": t.own_classification,
                "models": list(t.models),
            }
            for t in plan.teams
        ],
        "classifications": [USER_BEHAVIOR, PII],
        "copies": recorder.copies,
        "runs": recorder.truth,
    }
    path.write_text(json.dumps(body, indent=1) + "\n")
