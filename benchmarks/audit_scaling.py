"""Audit time and HTTP requests on generated platforms of growing scale, in one run.

    python benchmarks/audit_scaling.py                # scales 1, 2 and 4 (24 teams, 18 months)
    python benchmarks/audit_scaling.py --scales 1 --baseline # and the per-model lineage baseline

Each scale's platform (``examples/platform/generate.py``: >= 3,000 model versions at scale 1)
is recorded into the Atlas named by ATLAS_URL (or reused from ``--work``), each in its own
18 months and with its own team names, so one Atlas holds them all as a real one holds more
than the window asked about. Then ``audit(UserBehavior, the platform's months)`` runs
``--repeat`` times per scale, with and without the chain-of-custody check of every run
(alternating; issue 19's target: at most 1.3x); every HTTP request is counted. Printed:
seconds (median), model versions found, requests, requests per model version, growth ratios
against scale 1, and precision/recall against the ground truth. ``--baseline`` also times
what users wrote before (110 lines of REST glue): one ``/v2/lineage`` call per classified
model version, on at most ``--baseline-limit`` of them, scaled up.

Targets (issue 15): <= 10 s at scale 1 on a 2-core machine with the local Atlas; growth no
worse than linear; requests O(models / page size + distinct upstream entities).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "platform"))

from generate import TRUTH, generate  # noqa: E402
from truth import expected, load, precision_recall  # noqa: E402

from atlas_ml.audit import audit  # noqa: E402
from atlas_ml.client import AtlasClient  # noqa: E402
from atlas_ml.custody.settings import (  # noqa: E402
    ANY_TEAM,
    LOG_ENV,
    add_trusted_key,
    set_signing_key,
)

CLASSIFICATION = "UserBehavior"


class Counter:
    """Counts every HTTP request the client's session sends (a requests response hook)."""

    def __init__(self, client: AtlasClient) -> None:
        self.count = 0
        client.transport.session.hooks["response"].append(self._seen)

    def _seen(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self.count += 1


def platform_window(scale: float, months: int) -> tuple[datetime, datetime, str]:
    """Each scale its own stretch of time and team names, so audits never mix platforms."""
    index = {1.0: 0, 2.0: 1, 4.0: 2}.get(scale, int(scale * 10) % 7 + 3)
    start = datetime(2000 + 4 * index, 1, 1, tzinfo=timezone.utc)
    year, month = divmod(months, 12)
    until = start.replace(year=start.year + year, month=1 + month)
    return start, until, f"s{str(scale).replace('.', '_')}-"


def sign_runs(work: Path) -> None:
    """Sign every training run the generator records with one key (in ``work/custody``,
    trusted for every team), as a platform with chain of custody on does; so the audit's
    custody check has attestations to read and check."""
    from atlas_ml.custody.keys import generate_key

    root = work / "custody"
    config, key = root / "config.toml", root / "keys" / "signing-key.pem"
    if not config.exists():
        public = generate_key(key)
        set_signing_key(config, key)
        add_trusted_key(config, ANY_TEAM, public)
    os.environ["ATLAS_ML_CONFIG"] = str(config)
    os.environ[LOG_ENV] = str(root / "log")


def ensure_platform(args: argparse.Namespace, client: AtlasClient, scale: float) -> dict[str, Any]:
    start, _, prefix = platform_window(scale, args.months)
    out = args.work / f"scale-{scale:g}"
    truth = out / TRUTH
    if truth.exists():
        print(f"scale {scale:g}: reusing the platform recorded in {out}")
        return {"truth": load(truth), "record_seconds": None, "push_seconds": None}
    print(
        f"scale {scale:g}: recording the platform into {out} "
        f"(teams {args.teams}, {args.months} months)"
    )
    timings = generate(
        out,
        teams=args.teams,
        scale=scale,
        months=args.months,
        start=start,
        client=client,
        prefix=prefix,
        log=args.verbose,
    )
    print(
        f"scale {scale:g}: recorded {timings['events']:.0f} events in "
        f"{timings['record_seconds']:.0f} s, "
        f"delivered in {timings.get('push_seconds', 0):.0f} s"
    )
    return {"truth": load(truth), **timings}


def measure(
    client: AtlasClient,
    counter: Counter,
    scale: float,
    args: argparse.Namespace,
    truth: dict[str, Any],
) -> dict[str, Any]:
    since, until, _ = platform_window(scale, args.months)
    times, requests, unchecked = [], [], []
    report = None
    for round_ in range(args.repeat):
        # with and without the chain-of-custody check of every run, alternating which first
        for custody in (True, False) if round_ % 2 == 0 else (False, True):
            counter.count = 0
            began = time.perf_counter()
            result = audit(client, CLASSIFICATION, since, until, custody=custody)
            elapsed = time.perf_counter() - began
            if custody:
                report = result
                times.append(elapsed)
                requests.append(counter.count)
            else:
                unchecked.append(elapsed)
    assert report is not None
    want = expected(truth, CLASSIFICATION, since, until)
    found = {
        (report.nodes[e.guid].model.artifact_sha256 if report.nodes[e.guid].model else None)
        for e in report.entries
    }
    precision, recall = precision_recall({f for f in found if f}, set(want))
    upstream = len({g for e in report.entries for g in e.provenance.upstream})
    return {
        "scale": scale,
        "seconds": statistics.median(times),
        "runs": times,
        "unchecked": statistics.median(unchecked),
        "models": len(report.entries),
        "requests": statistics.median(requests),
        "upstream": upstream,
        "precision": precision,
        "recall": recall,
    }


def baseline(
    client: AtlasClient, counter: Counter, scale: float, args: argparse.Namespace
) -> tuple[float, int, int]:
    """One lineage call per classified model version (what the UI and hand-written glue do);
    timed on at most ``--baseline-limit`` model versions and scaled to all of them."""
    _, _, prefix = platform_window(scale, args.months)
    filters = {"attributeName": "qualifiedName", "operator": "startsWith", "attributeValue": prefix}
    counter.count = 0
    began = time.perf_counter()
    versions = list(
        client.search.basic(
            "atlasml_model_version",
            classification=CLASSIFICATION,
            entity_filters=filters,
            attributes=[],
        )
    )
    sample = versions[: args.baseline_limit]
    for header in sample:
        client.lineage.get(header["guid"], direction="INPUT", depth=20)
    elapsed = time.perf_counter() - began
    factor = len(versions) / max(1, len(sample))
    return elapsed * factor, int(counter.count * factor), len(versions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    parser.add_argument("--teams", type=int, default=24)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("ATLAS_ML_CACHE", Path.home() / ".cache/atlas-ml"))
        / "benchmark-platforms",
    )
    parser.add_argument(
        "--baseline", action="store_true", help="also time one lineage call per model version"
    )
    parser.add_argument("--baseline-limit", type=int, default=300)
    parser.add_argument(
        "--unsigned", action="store_true", help="record the platforms without signing the runs"
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.unsigned:
        sign_runs(args.work)

    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    client = AtlasClient.from_settings()
    print(f"Atlas: {client.config.url}")
    counter = Counter(client)
    results = []
    for scale in args.scales:
        made = ensure_platform(args, client, scale)
        row = measure(client, counter, scale, args, made["truth"])
        row.update({k: made.get(k) for k in ("record_seconds", "push_seconds", "events")})
        results.append(row)
        print(
            f"scale {scale:g}: {row['models']} model versions, {row['seconds']:.2f} s (median of "
            f"{args.repeat}: {', '.join(f'{t:.2f}' for t in row['runs'])}), "
            f"{row['requests']:.0f} requests"
        )
    first = results[0]
    print()
    print(f"audit {CLASSIFICATION}, whole platform window, median of {args.repeat}")
    print(
        f"{'scale':>5} {'models':>7} {'seconds':>8} {'x time':>7} {'requests':>9} {'x req':>6} "
        f"{'req/model':>10} {'upstream':>9} {'precision':>9} {'recall':>7}"
    )
    for row in results:
        print(
            f"{row['scale']:>5g} {row['models']:>7} {row['seconds']:>8.2f} "
            f"{row['seconds'] / first['seconds']:>7.2f} "
            f"{row['requests']:>9.0f} {row['requests'] / first['requests']:>6.2f} "
            f"{row['requests'] / max(1, row['models']):>10.3f} "
            f"{row['upstream']:>9} {row['precision']:>9.3f} {row['recall']:>7.3f}"
        )
    for row in results:
        print(
            f"scale {row['scale']:g}: audit with custody checks {row['seconds']:.2f} s, without "
            f"{row['unchecked']:.2f} s: {row['seconds'] / row['unchecked']:.2f}x (target <= 1.3x: "
            f"{'PASS' if row['seconds'] <= 1.3 * row['unchecked'] else 'MISS'})"
        )
    base = min(results, key=lambda r: r["models"])
    for row in results:
        if row is base:
            continue
        # models, not the nominal scale: a scale trains round(2 x scale) times a month, at
        # least once, so 0.25 and 0.5 record the same platform
        growth = row["models"] / max(1, base["models"])
        grew = row["seconds"] / base["seconds"]
        verdict = "PASS" if grew <= growth * 1.1 else "MISS"
        print(
            f"scale {row['scale']:g} vs {base['scale']:g}: time grew {grew:.2f}x for "
            f"{growth:.2f}x the models (target <= linear: {verdict})"
        )
    at_one = next((r for r in results if r["scale"] == 1.0), None)
    if at_one is not None:
        print(
            f"scale 1: {at_one['seconds']:.2f} s "
            f"(target <= 10 s: {'PASS' if at_one['seconds'] <= 10 else 'MISS'})"
        )
    if args.baseline:
        seconds, requests, models = baseline(client, counter, args.scales[0], args)
        print(
            f"baseline, one lineage call per model version, scale {args.scales[0]:g}: "
            f"{models} model "
            f"versions, {seconds:.1f} s, {requests} requests "
            f"(audit: {first['seconds'] / seconds:.3f}x the time, "
            f"{first['requests'] / max(1, requests):.3f}x the requests)"
        )
    client.close()


if __name__ == "__main__":
    main()
