"""Cost of the chain of custody per training run, against the run's own recording time.

Run: ``.venv/bin/python benchmarks/custody.py [--rounds 30] [--url http://127.0.0.1:21000]
[--max-load 3]`` against a running Atlas (admin/admin by default, or ATLAS_USER/ATLAS_PASSWORD);
it installs the atlas-ml types and works in a temporary folder (key, config, spool, chain
log). ``--max-load`` waits before each round for the machine's quiet moments (a shared
machine); the load average at each round is printed.

Each round records the Titanic example's pipeline (the example's own ``prepare``: a CSV read,
three steps, train and test sets, a model) twice, unsigned and signed, in alternating order,
each delivered to Atlas as at the end of a real run, then checks the signed run's custody in
Atlas. Measured per round:

- recording: the time spent inside atlas-ml's calls of the unsigned run (``dataset``,
  ``step``, ``use``, ``log_*``, ``finish``, delivery to Atlas), the user's pandas and
  scikit-learn work excluded;
- signing: the time of ``attest_run`` inside the signed run's ``finish`` (records from the
  events, statement, JCS, Ed25519, chain log with fsync, envelope beside the model);
- checking: ``check_run`` of the signed run against Atlas (its reads included);
- verify: ``verify`` of the signed run's model version with and without its custody check
  (the read command the check joins; alternating order).

After the rounds, every signed run of the session is checked at once with ``check_runs``
(what ``audit`` calls) and one by one with ``check_run``, alternating, ``--bulk-repeats``
times: the cost per run of each, side by side.

Printed: medians after a warm-up round, and the ratios to recording. Target (issue 19):
signing and checking each under 2 % of recording. The one-off import of the signing
libraries (first signed run of a process) is printed apart.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORDING_CALLS = ("dataset", "step", "use", "log_params", "log_metrics", "log_model", "finish")


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, Python "
        f"{platform.python_version()}, nproc={os.cpu_count()}, CPU: {model}"
    )


class Stopwatch:
    """Accumulates the time spent in the outermost of the wrapped calls."""

    def __init__(self) -> None:
        self.total = 0.0
        self._depth = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.total += time.perf_counter() - start

        return timed


@contextlib.contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, original)


def load_titanic() -> Any:
    spec = importlib.util.spec_from_file_location("titanic", ROOT / "examples/titanic/train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record_once(
    client: Any, titanic: Any, work: Path, signed: bool, seed: int
) -> tuple[Any, float, float]:
    """One recorded run; (run, seconds inside atlas-ml, seconds signing)."""
    from sklearn.ensemble import RandomForestClassifier

    import atlas_ml.tracking.run as run_module
    from atlas_ml.delivery import Spool
    from atlas_ml.tracking import TrainingRun, training_run

    recording, signing = Stopwatch(), Stopwatch()
    os.environ["ATLAS_ML_SIGNING_KEY"] = str(work / "key.pem") if signed else ""
    spool = Spool(work / "spool")
    with contextlib.ExitStack() as stack:
        for name in RECORDING_CALLS:
            stack.enter_context(
                patched(TrainingRun, name, recording.wrap(getattr(TrainingRun, name)))
            )
        stack.enter_context(
            patched(run_module, "deliver_spool", recording.wrap(run_module.deliver_spool))
        )
        stack.enter_context(patched(run_module, "attest_run", signing.wrap(run_module.attest_run)))
        with training_run("custody-bench", team="bench", client=client, spool=spool) as run:
            train, test = titanic.prepare(run, titanic.DATA)
            run.use(train, role="train")
            run.use(test, role="test")
            features = [c for c in train.columns if c != "Survived"]
            model = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=seed)
            model.fit(train[features], train["Survived"])
            run.log_params(features=",".join(features))
            run.log_metrics(accuracy=model.score(test[features], test["Survived"]))
            run.log_model(model, name="custody-bench", directory=work / "model")
    assert run.delivery is not None and not run.delivery.remaining, run.delivery
    return run, recording.total, signing.total


def wait_for_quiet(max_load: float | None, patience: float = 600) -> float:
    """Wait until the 1-minute load average is below ``max_load`` (at most ``patience``
    seconds); the load average then."""
    deadline = time.monotonic() + patience
    while max_load is not None and os.getloadavg()[0] >= max_load:
        if time.monotonic() > deadline:
            break
        time.sleep(5)
    return os.getloadavg()[0]


def import_cost() -> float:
    """Seconds to import the signing libraries in a fresh interpreter (median of 3)."""
    code = (
        "import time; t=time.perf_counter(); import atlas_ml.custody.envelope, "
        "atlas_ml.custody.keys; print(time.perf_counter()-t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--url", default=os.environ.get("ATLAS_URL", "http://127.0.0.1:21000"))
    parser.add_argument("--bulk-repeats", type=int, default=5)
    parser.add_argument(
        "--max-load",
        type=float,
        help="before each round, wait (up to 10 minutes) until the 1-minute load average is "
        "below this: on a shared machine, measure in its quiet moments",
    )
    args = parser.parse_args()

    from atlas_ml.client import AtlasClient
    from atlas_ml.config import AtlasConfig
    from atlas_ml.custody import check_run, check_runs
    from atlas_ml.custody.keys import generate_key
    from atlas_ml.custody.settings import add_trusted_key, load_custody_settings, set_signing_key
    from atlas_ml.naming import model_version_name, training_run_name
    from atlas_ml.typedefs import install, load_typeset
    from atlas_ml.verify import verify

    print(machine())
    config = AtlasConfig(
        url=args.url,
        username=os.environ.get("ATLAS_USER", "admin"),
        password=os.environ.get("ATLAS_PASSWORD", "admin"),
    )
    titanic = load_titanic()
    with (
        tempfile.TemporaryDirectory(prefix="custody-bench-") as folder,
        AtlasClient(config) as client,
    ):
        work = Path(folder)
        install(client, load_typeset())
        public = generate_key(work / "key.pem")
        set_signing_key(work / "config.toml", work / "key.pem")
        add_trusted_key(work / "config.toml", "bench", public)
        os.environ.update(
            ATLAS_ML_CONFIG=str(work / "config.toml"),
            ATLAS_ML_CUSTODY_LOG=str(work / "log"),
            ATLAS_URL=args.url,
        )
        settings = load_custody_settings()
        rows: list[tuple[float, float, float, float, float]] = []
        signed_runs: list[str] = []
        loads: list[float] = []
        for round_number in range(args.rounds + 1):
            loads.append(wait_for_quiet(args.max_load))
            order = (False, True) if round_number % 2 else (True, False)
            measured: dict[bool, tuple[Any, float, float]] = {}
            for signed in order:
                # a model of its own per run: verify then reads one run's lineage
                measured[signed] = record_once(
                    client, titanic, work, signed, seed=2 * round_number + signed
                )
            run = measured[True][0]
            signed_runs.append(training_run_name(run.pipeline, run.run_id, "primary"))
            start = time.perf_counter()
            result = check_run(client, signed_runs[-1], settings=settings)
            checking = time.perf_counter() - start
            assert result.status.value == "SIGNED-OK", result.to_dict()
            version = model_version_name(
                run.models[0].name, run.models[0].artifact.sha256, "primary"
            )
            verify_time = {}
            for with_custody in (True, False) if round_number % 2 else (False, True):
                start = time.perf_counter()
                verify(
                    client,
                    version,
                    write_back=False,
                    custody=settings,
                    check_custody=with_custody,
                )
                verify_time[with_custody] = time.perf_counter() - start
            if round_number:  # round 0 warms caches, connections and imports
                rows.append(
                    (
                        measured[False][1],
                        measured[True][2],
                        checking,
                        verify_time[False],
                        verify_time[True],
                    )
                )
            print(
                f"round {round_number:3d} (load {loads[-1]:4.1f}): recording "
                f"{measured[False][1] * 1000:7.1f} ms, "
                f"signing {measured[True][2] * 1000:6.2f} ms, checking {checking * 1000:6.1f} ms",
                flush=True,
            )
        bulk: dict[bool, list[float]] = {True: [], False: []}
        for repeat in range(args.bulk_repeats):
            for together in (True, False) if repeat % 2 else (False, True):
                wait_for_quiet(args.max_load)
                start = time.perf_counter()
                if together:
                    results = list(check_runs(client, signed_runs, settings=settings).values())
                else:
                    results = [check_run(client, r, settings=settings) for r in signed_runs]
                bulk[together].append((time.perf_counter() - start) / len(signed_runs))
                assert {r.status.value for r in results} == {"SIGNED-OK"}
    recording = statistics.median(r[0] for r in rows)
    signing = statistics.median(r[1] for r in rows)
    checking = statistics.median(r[2] for r in rows)
    print()
    print(
        f"medians over {len(rows)} rounds (after a warm-up round); 1-minute load average at "
        f"the start of a round: median {statistics.median(loads[1:]):.1f}, max {max(loads[1:]):.1f}"
    )
    print(f"  recording a run (unsigned)   {recording * 1000:8.1f} ms")
    print(f"  signing it                   {signing * 1000:8.2f} ms   {signing / recording:6.2%}")
    print(f"  checking it against Atlas    {checking * 1000:8.1f} ms   {checking / recording:6.2%}")
    plain = statistics.median(r[3] for r in rows)
    checked = statistics.median(r[4] for r in rows)
    print(f"  verify of its model version  {plain * 1000:8.1f} ms without custody")
    print(
        f"                               {checked * 1000:8.1f} ms with it ({checked / plain:.2f}x)"
    )
    alone, together = statistics.median(bulk[False]), statistics.median(bulk[True])
    print(
        f"  checking all {len(signed_runs)} signed runs, per run: {alone * 1000:.1f} ms one by "
        f"one (check_run), {together * 1000:.1f} ms together (check_runs): "
        f"{alone / together:.1f}x; together {together / recording:.2%} of recording"
    )
    print(f"  one-off import of the signing libraries: {import_cost() * 1000:.0f} ms per process")


if __name__ == "__main__":
    main()
