"""Verify everything behind one target: collect, recompute, compare, write back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.custody.check import check_runs
from atlas_ml.custody.settings import CustodySettings
from atlas_ml.typedefs.names import MODEL_VERSION_TYPE
from atlas_ml.verify.artifact import verify_artifact
from atlas_ml.verify.collect import DEFAULT_DEPTH, Collected, collect_versions
from atlas_ml.verify.compare import compare_version, judge_in_memory
from atlas_ml.verify.recorded import RecordedVersion
from atlas_ml.verify.result import VerifyReport, VersionResult
from atlas_ml.verify.target import TRAINING_RUN_TYPE, Target, resolve_target
from atlas_ml.verify.time_travel import recompute_recorded
from atlas_ml.verify.writeback import write_back as write_status

Progress = Callable[[RecordedVersion], None]


def verify(
    client: AtlasClient,
    target: Target | str,
    *,
    write_back: bool = True,
    rehash: bool = False,
    depth: int = DEFAULT_DEPTH,
    on_checking: Progress | None = None,
    custody: CustodySettings | None = None,
    check_custody: bool = True,
) -> VerifyReport:
    """Verify every dataset version behind ``target`` (a Target, guid or qualifiedName), and
    the custody of the training runs behind it (see :func:`verify_collected`)."""
    if isinstance(target, str):
        target = resolve_target(client, target)
    return verify_collected(
        client,
        collect_versions(client, target, depth),
        write_back=write_back,
        rehash=rehash,
        on_checking=on_checking,
        custody=custody,
        check_custody=check_custody,
    )


def verify_collected(
    client: AtlasClient,
    collected: Collected,
    *,
    write_back: bool = True,
    rehash: bool = False,
    on_checking: Progress | None = None,
    custody: CustodySettings | None = None,
    check_custody: bool = True,
) -> VerifyReport:
    """Check file-backed versions by recomputing, then judge in-memory ones by their sources;
    for a model version, check its artifact too; and the chain of custody of every training
    run in the lineage (with ``custody``'s trusted keys; default: the config file's), unless
    ``check_custody`` is False.

    ``on_checking`` is called before each file-backed version is recomputed (for progress).
    """
    checked_at = datetime.now(timezone.utc)
    report = VerifyReport(
        target=collected.target.to_dict(),
        atlas_url=client.config.url,
        checked_at=checked_at.isoformat(timespec="seconds"),
    )
    if collected.skipped_deleted:
        report.problems.append(
            "deleted dataset versions not checked: " + ", ".join(collected.skipped_deleted)
        )
    if not collected.versions:
        report.problems.append(
            f"no dataset version recorded upstream of {collected.target.label}: nothing to "
            "verify (was the data it trained on recorded, e.g. with run.use()?)"
        )
    by_guid: dict[str, VersionResult] = {}
    for version in collected.file_backed:
        if on_checking is not None:
            on_checking(version)
        by_guid[version.guid] = compare_version(version, recompute_recorded(version, rehash=rehash))
    for version in collected.versions:
        if version.in_memory:
            sources = collected.sources_of(version)
            steps = {s.guid: collected.steps_between(s, version) for s in sources}
            by_guid[version.guid] = judge_in_memory(
                version, [by_guid[s.guid] for s in sources], steps, collected.depth
            )
    # What was re-read first (nearest the target first), then what was judged by its sources.
    ordered = collected.file_backed + [v for v in collected.versions if v.in_memory]
    report.results = [by_guid[v.guid] for v in ordered]
    if collected.target.type_name == MODEL_VERSION_TYPE:
        report.artifact = verify_artifact(collected.target.entity, rehash=rehash)
    if check_custody:
        checked = check_runs(client, training_runs(collected), settings=custody)
        report.custody = list(checked.values())
    if write_back:
        millis = int(checked_at.timestamp() * 1000)
        for result in report.results:
            try:
                result.written_back = write_status(client, result, millis)
            except AtlasError as exc:
                result.write_back_error = str(exc)
    return report


def training_runs(collected: Collected) -> list[str]:
    """guids of the training runs the target is, or that its lineage reaches."""
    runs = [collected.target.guid] if collected.target.type_name == TRAINING_RUN_TYPE else []
    if collected.graph is not None:
        runs += [g for g in collected.graph.find(TRAINING_RUN_TYPE) if g not in runs]
    return runs
