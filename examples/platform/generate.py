"""Generate a data platform to audit and record it in Atlas, with its ground truth.

    python examples/platform/generate.py --teams 24 --scale 1            # >= 3,000 model versions
    python examples/platform/generate.py --teams 6 --months 6 --scale 0.5 --out /tmp/platform

Teams, raw sources (UserBehavior, PII or neither), ETL (pipeline runs with their steps, and
Spark jobs through the listener's event path), monthly feature files, training runs, model
versions, evaluations and compliance facts over ``--months`` months, with the traps an audit
must get right (see ``plan.py``). Everything is recorded through atlas-ml's public API into a
spool under ``--out``, then delivered with ``push_bulk``; ``--no-push`` leaves the spool for
``atlas-ml push``. ``ground_truth.json`` beside it lists every training run: its team, start,
outcome, model version (artifact sha256), the exact data it trained on and the
classifications that data carries. ``truth.py`` answers an audit question from it.
Connection settings as for ``atlas-ml`` (ATLAS_URL, ATLAS_USER, ...).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan import make_plan
from record import Recorder, write_truth

from atlas_ml.client import AtlasClient
from atlas_ml.delivery import Spool
from atlas_ml.delivery.bulk import push_bulk

TRUTH = "ground_truth.json"


def generate(
    out: Path,
    teams: int = 24,
    scale: float = 1.0,
    months: int = 18,
    start: datetime | None = None,
    seed: int = 7,
    push: bool = True,
    client: AtlasClient | None = None,
    round_size: int = 500,
    log: bool = True,
    prefix: str = "",
    verify: int = 0,
) -> dict[str, float]:
    """Record the platform under ``out`` and (``push``) deliver it; returns timings.
    ``verify``: check the data of that many model versions afterwards (see
    :func:`verify_latest`)."""
    plan = make_plan(teams=teams, scale=scale, months=months, start=start, seed=seed, prefix=prefix)
    out.mkdir(parents=True, exist_ok=True)
    spool = Spool(out / "spool")
    recorder = Recorder(plan, out / "data", spool)
    say = print if log else (lambda *a, **k: None)
    say(f"planned {len(plan.runs)} training runs of {teams} teams over {months} months")
    began = time.monotonic()
    for month in range(months):
        recorder.month(month)
        say(f"  recorded {plan.month_label(month)}: {len(recorder.truth)} runs so far", flush=True)
    recorded = time.monotonic() - began
    parameters = {
        "teams": teams,
        "scale": scale,
        "months": months,
        "seed": seed,
        "prefix": prefix,
    }
    write_truth(recorder, out / TRUTH, parameters)
    events = len(spool.pending())
    say(f"recorded {events} events in {recorded:.1f} s; ground truth in {out / TRUTH}")
    timings = {"record_seconds": recorded, "events": float(events)}
    if not push:
        say(f"not delivered: atlas-ml push (ATLAS_ML_SPOOL={spool.root}) delivers them")
        return timings
    own = client is None
    client = client or AtlasClient.from_settings()
    began = time.monotonic()
    try:
        report = push_bulk(
            client,
            spool,
            round_size=round_size,
            on_round=lambda done, total: say(f"  delivered {done}/{total} events", flush=True),
        )
        pushed = time.monotonic() - began
        say(
            f"delivered {report.delivered} events ({report.entities} entities) in {pushed:.1f} "
            f"s; {report.rejected} rejected, {len(spool.pending())} pending"
            + (f"; stopped: {report.stopped_by}" if report.stopped_by else "")
        )
        if report.first_rejection:
            say(f"first rejection: {report.first_rejection}")
        timings.update(push_seconds=pushed, delivered=float(report.delivered))
        if report.stopped_by or report.rejected:
            raise SystemExit(1)
        if verify:
            checked = verify_latest(client, out, verify)
            say(f"verified the data of {checked} model versions (one raw file edited first)")
    finally:
        if own:
            client.close()
    return timings


def verify_latest(client: AtlasClient, out: Path, count: int) -> int:
    """Check the data behind the ``count`` newest model versions of the first ``direct``
    team with ``atlas_ml.verify`` (statuses written back to Atlas), after editing one raw file
    they were trained on: the audit then shows VERIFIED data, and CHANGED where the edit is.
    The ground truth records both."""
    from atlas_ml import verify
    from atlas_ml.naming import model_version_name

    truth_path = out / TRUTH
    truth = json.loads(truth_path.read_text())
    direct = next(t["name"] for t in truth["teams"] if t["recipe"] == "direct")
    runs = sorted(
        (r for r in truth["runs"] if r["team"] == direct and r["status"] == "SUCCEEDED"),
        key=lambda r: r["start"],
    )[-count:]
    month = truth["months"][runs[-1]["month"]]
    edited = out / "data" / "raw" / direct / f"{direct}-events-{month}.csv"
    with edited.open("a") as handle:
        handle.write("999,late@example.com,1,DE\n")  # a late correction, after recording
    for run in runs:
        name = model_version_name(run["model"], run["artifactSha256"], client.config.namespace)
        verify(client, name)
    truth["verified"] = {"runs": [r["runId"] for r in runs], "edited": str(edited)}
    truth_path.write_text(json.dumps(truth, indent=1) + "\n")
    return len(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", type=int, default=24, help="teams (1-24) [24]")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="training runs per model-month / 2 [1]"
    )
    parser.add_argument("--months", type=int, default=18, help="months of history [18]")
    parser.add_argument("--start", default="2024-07-01", help="first month [2024-07-01]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("atlas-ml-platform"), help="output folder")
    parser.add_argument("--round", type=int, default=500, help="events per bulk round [500]")
    parser.add_argument("--prefix", default="", help="before every team name (several platforms)")
    parser.add_argument("--no-push", action="store_true", help="record into the spool only")
    parser.add_argument(
        "--verify",
        type=int,
        default=4,
        metavar="N",
        help="afterwards, verify the data of N model versions (one raw file edited first) [4]",
    )
    args = parser.parse_args(argv)
    start = datetime.fromisoformat(args.start).replace(tzinfo=timezone.utc)
    generate(
        args.out,
        teams=args.teams,
        scale=args.scale,
        months=args.months,
        start=start,
        seed=args.seed,
        push=not args.no_push,
        round_size=args.round,
        prefix=args.prefix,
        verify=0 if args.no_push else args.verify,
    )


if __name__ == "__main__":
    main()
