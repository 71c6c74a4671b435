"""Deliver mapped events to Atlas: bulk upsert, model version numbers, classifications."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from atlas_ml.client import AtlasAuthError, AtlasClient, AtlasError, AtlasUnavailable
from atlas_ml.client.entities import UpsertResult
from atlas_ml.delivery.copies import infer_copies as add_inferred_copies
from atlas_ml.delivery.fold import fold_runs
from atlas_ml.delivery.kafka import deliver_by_kafka
from atlas_ml.delivery.legacy_paths import LegacyPaths
from atlas_ml.delivery.propagation import block_propagation
from atlas_ml.delivery.spool import Spool, SpoolBusy
from atlas_ml.events import parse_event
from atlas_ml.mapping import AtlasChanges, map_event
from atlas_ml.typedefs.names import MODEL_VERSION_TYPE

log = logging.getLogger("atlas_ml.delivery")

# Atlas's answer when a classification is already on the entity: not an error for a replay.
_ALREADY_CLASSIFIED = {"ATLAS-400-00-01A", "ATLAS-409-00-00B"}
# Atlas's answer when a type is unknown: the typedefs are not installed, not a bad event.
_UNKNOWN_TYPE = {"ATLAS-404-00-001", "ATLAS-400-00-014", "ATLAS-400-00-01D"}
# "Given classification X was invalid": Atlas has no classification type X.
_UNKNOWN_CLASSIFICATION = "ATLAS-404-00-008"


@dataclass
class DeliveryReport:
    """What a push did; ``remaining`` events stay in the spool for the next push."""

    delivered: int = 0
    rejected: int = 0
    remaining: int = 0
    entities: int = 0
    stopped_by: str | None = None
    first_rejection: str | None = None
    recovered_partial: int = 0
    """Complete events a killed writer left in temp files, put back in the pending set."""
    torn_partial: int = 0
    """Incomplete events a killed writer left, set aside in ``rejected/``."""
    out_of_time: bool = False
    """Stopped by the push's time limit (the rest is pending), not by Atlas."""
    guids: dict[str, str] = field(default_factory=dict)

    def reject(self, spool: Spool, path: Path, reason: str) -> None:
        spool.reject(path, reason)
        self.rejected += 1
        self.first_rejection = self.first_rejection or reason


def deliver_changes(
    client: AtlasClient,
    changes: AtlasChanges,
    *,
    infer_copies: bool | None = None,
    legacy_paths: LegacyPaths | None = None,
) -> UpsertResult:
    """Upsert the entities (REST, or Kafka hook notifications with ``transport = kafka``),
    number new model versions, attach classifications and business metadata (always REST: no
    hook message has them), stop the classifications a step removed (:mod:`.propagation`).

    ``infer_copies`` (default: the config's): link data to classified data with the same
    bytes (:mod:`.copies`). ``legacy_paths`` collects path names to check against the
    lower-cased names of atlas-ml 0.1.0 later (:mod:`.legacy_paths`); without it they are
    checked at once.
    """
    _drop_missing_references(client, changes)
    fold_runs(client, changes)
    _keep_first_registration(client, changes)
    legacy = legacy_paths if legacy_paths is not None else LegacyPaths()
    legacy.note(client, changes)
    if changes.infer_copies and (
        client.config.infer_copies if infer_copies is None else infer_copies
    ):
        add_inferred_copies(client, changes)
    if client.config.transport == "kafka":
        result = deliver_by_kafka(client, changes.entities)
    else:
        result = client.entities.upsert(changes.entities)
    _number_model_versions(client, changes, result)
    for request in changes.classifications:
        guid = result.guids.get(request.qualified_name)
        if guid is None:
            continue
        try:
            client.entities.add_classifications(guid, [request.classification()])
        except AtlasError as exc:
            if exc.error_code not in _ALREADY_CLASSIFIED:
                raise
    for metadata in changes.business_metadata:
        guid = result.guids.get(metadata.qualified_name)
        if guid is None:
            continue
        # Merges (isOverwrite=false): attributes not sent keep their value, so facts set
        # later (an approval given after training) survive a replayed event.
        client.transport.request(
            "POST",
            f"/v2/entity/guid/{quote(guid)}/businessmetadata",
            params={"isOverwrite": "false"},
            json={metadata.name: metadata.attributes},
            idempotent=True,
        )
    block_propagation(client, changes, result)
    if legacy_paths is None:
        legacy.warn(client)
    return result


def _drop_missing_references(client: AtlasClient, changes: AtlasChanges) -> None:
    """Keep references to entities other hooks own (Hive tables) only if Atlas has them:
    one missing reference would make Atlas reject the whole request (ATLAS-404-00-00A)."""
    by_type: dict[str, set[str]] = {}
    for type_name, qualified_name in changes.optional_references:
        by_type.setdefault(type_name, set()).add(qualified_name)
    missing: set[tuple[str, str]] = set()
    for type_name, names in by_type.items():
        found = client.entities.get_bulk_by_unique_attributes(type_name, sorted(names))
        present = {(e.get("attributes") or {}).get("qualifiedName") for e in found}
        missing |= {(type_name, name) for name in names if name not in present}
    if missing:
        log.debug("not referencing entities Atlas does not have: %s", sorted(missing))
        changes.drop_references(missing)


# What the first registration of a model version recorded and a later one never replaces.
_FIRST_RECORDED = ("registeredTime", "artifactUri", "team", "owner")


def _keep_first_registration(client: AtlasClient, changes: AtlasChanges) -> None:
    """A model version registered again (a later run saved the same artifact bytes) keeps
    what its first registration recorded: the time this exact model entered the record, its
    artifact's first location and its team. Every location the bytes were saved to, by any
    run, is kept in ``artifactLocations`` (Atlas replaces an array, so the union is sent)."""
    versions = [e for e in changes.entities if e["typeName"] == MODEL_VERSION_TYPE]
    if not versions:
        return
    names = [e["attributes"]["qualifiedName"] for e in versions]
    existing = client.entities.get_bulk_by_unique_attributes(MODEL_VERSION_TYPE, names)
    first = {e["attributes"].get("qualifiedName"): e["attributes"] for e in existing}
    for entity in versions:
        attributes = entity["attributes"]
        recorded = first.get(attributes["qualifiedName"])
        if not recorded:
            continue
        for name in _FIRST_RECORDED:
            if recorded.get(name):
                attributes[name] = recorded[name]
        locations = list(recorded.get("artifactLocations") or [])
        if recorded.get("artifactUri") and recorded["artifactUri"] not in locations:
            locations.insert(0, recorded["artifactUri"])
        locations += [u for u in attributes.get("artifactLocations") or [] if u not in locations]
        if locations:
            attributes["artifactLocations"] = locations


def _number_model_versions(
    client: AtlasClient, changes: AtlasChanges, result: UpsertResult
) -> None:
    """Give each model version without a number ``1 + the highest number of its model``.

    Numbers are assigned at delivery because only Atlas knows the model's earlier versions.
    """
    for entity in changes.entities:
        if entity["typeName"] != MODEL_VERSION_TYPE:
            continue
        if entity["attributes"].get("versionNumber"):
            continue
        guid = result.guids.get(entity["attributes"]["qualifiedName"])
        if guid is None:
            continue
        current = client.entities.get(guid, min_ext_info=True)["entity"]
        # Atlas reads an unset int attribute back as 0: numbers start at 1.
        if current["attributes"].get("versionNumber"):
            continue
        model = (current.get("relationshipAttributes") or {}).get("model") or {}
        siblings = []
        if model.get("guid"):
            model_entity = client.entities.get(model["guid"], min_ext_info=True)["entity"]
            versions = (model_entity.get("relationshipAttributes") or {}).get("versions") or []
            siblings = [v["guid"] for v in versions if v.get("guid") != guid]
        highest = 0
        for sibling in siblings:
            number = client.entities.get(sibling)["entity"]["attributes"].get("versionNumber")
            highest = max(highest, number or 0)
        client.transport.request(
            "PUT",
            f"/v2/entity/guid/{guid}",
            params={"name": "versionNumber"},
            json=highest + 1,
            idempotent=True,
        )


def push(
    client: AtlasClient,
    spool: Spool | None = None,
    on_event: Callable[[Path], None] | None = None,
    time_limit: float | None = None,
    infer_copies: bool | None = None,
) -> DeliveryReport:
    """Deliver every pending event in order; stop (keeping the rest) when Atlas is away.

    ``time_limit``: seconds this call may take, waiting for another pusher's lock included;
    no request is sent or retried after it, and the events not delivered stay pending.
    ``infer_copies``: see :func:`deliver_changes`.
    """
    spool = spool or Spool()
    report = DeliveryReport()
    deadline = None if time_limit is None else time.monotonic() + time_limit
    try:
        with spool.lock(time_limit), _requests_end_by(client, deadline):
            legacy_paths = LegacyPaths()
            _push_pending(
                client, spool, report, on_event, deadline, time_limit, infer_copies, legacy_paths
            )
            with contextlib.suppress(AtlasError):  # a warning, never a reason to fail a push
                legacy_paths.warn(client)
            spool.prune_delivered()
    except SpoolBusy as exc:
        report.stopped_by = str(exc)
        report.remaining = _count_pending(spool)
    except OSError as exc:
        # The spool's own folder (lock, delivered/, rejected/) cannot be written: stop rather
        # than deliver events that could never be marked delivered.
        report.stopped_by = (
            f"cannot write to the spool {spool.root}: {exc.strerror or exc}"
            f"{f' ({exc.filename})' if exc.filename else ''}; make it writable and push again"
        )
        report.remaining = _count_pending(spool)
    return report


def _count_pending(spool: Spool) -> int:
    try:
        return len(spool.pending())
    except OSError:
        return 0


@contextmanager
def _requests_end_by(client: AtlasClient, deadline: float | None) -> Iterator[None]:
    """Hold ``client``'s requests to ``deadline`` for the duration (an earlier one stays)."""
    transport = getattr(client, "transport", None)  # test doubles may have none
    if deadline is None or transport is None:
        yield
        return
    previous = transport.deadline
    transport.deadline = deadline if previous is None else min(previous, deadline)
    try:
        yield
    finally:
        transport.deadline = previous


def _push_pending(
    client: AtlasClient,
    spool: Spool,
    report: DeliveryReport,
    on_event: Callable[[Path], None] | None,
    deadline: float | None,
    time_limit: float | None,
    infer_copies: bool | None = None,
    legacy_paths: LegacyPaths | None = None,
) -> None:
    namespace = client.config.namespace
    lowercase_paths = client.config.lowercase_paths
    report.recovered_partial, report.torn_partial = spool.recover_partial_writes()
    pending = spool.pending()
    for index, path in enumerate(pending):
        if deadline is not None and time.monotonic() >= deadline:
            report.out_of_time, report.stopped_by = True, _out_of_time(time_limit)
            report.remaining = len(pending) - index
            return
        if on_event is not None:
            on_event(path)
        try:
            event_bytes = path.read_bytes()
        except FileNotFoundError:  # requeued or removed by hand meanwhile: nothing to send
            continue
        try:
            changes = map_event(
                parse_event(event_bytes), namespace, lowercase_paths=lowercase_paths
            )
        except Exception as exc:  # mapping is pure: whatever fails here is the event's fault
            report.reject(spool, path, f"{type(exc).__name__}: {exc}")
            continue
        try:
            result = deliver_changes(
                client, changes, infer_copies=infer_copies, legacy_paths=legacy_paths
            )
        except AtlasUnavailable as exc:
            report.out_of_time = deadline is not None and time.monotonic() >= deadline
            report.stopped_by = (
                _out_of_time(time_limit) if report.out_of_time else f"Atlas is unavailable: {exc}"
            )
            report.remaining = len(pending) - index
            return
        except AtlasAuthError as exc:
            # Wrong or missing credentials say nothing about the event: fix them, push.
            report.stopped_by = f"Atlas refused the credentials or the operation: {exc}"
            report.remaining = len(pending) - index
            return
        except AtlasError as exc:
            if _atlas_in_trouble(client, exc):
                report.stopped_by = f"Atlas is unavailable: {exc}"
                report.remaining = len(pending) - index
                return
            if _lacks_project_types(exc, changes):
                report.stopped_by = f"{exc}. Install the typedefs first: atlas-ml typedefs install"
                report.remaining = len(pending) - index
                return
            report.reject(spool, path, str(exc))
            continue
        spool.mark_delivered(path)
        report.delivered += 1
        report.entities += len(changes.entities)
        report.guids.update(result.guids)


def _out_of_time(time_limit: float | None) -> str:
    """Why a push with a time limit stopped: the limit, not Atlas, whatever request it cut."""
    return f"delivery stopped at its time limit of {time_limit:g} s"


def _atlas_in_trouble(client: AtlasClient, exc: AtlasError) -> bool:
    """Whether a failure is the server's, not the event's: a 4xx answer is about the request,
    but a 500 or an answer that is not Atlas's JSON (a gateway's page) is only the event's
    fault when Atlas itself reports ACTIVE. Otherwise every pending event would be set aside
    as rejected while Atlas's backend is down."""
    if exc.status is not None and 400 <= exc.status < 500:
        return False
    try:
        return bool(client.admin.status() != "ACTIVE")
    except AtlasError:
        return True


def _lacks_project_types(exc: AtlasError, changes: AtlasChanges) -> bool:
    """Whether Atlas refused the event for want of a type atlas-ml's typedefs define.

    Such an event is fine and waits for ``typedefs install``. A classification name of the
    user's own that Atlas lacks (a typo, a type never created) is the event's problem: it is
    set aside, so that it does not hold back every later event.
    """
    if exc.error_code in _UNKNOWN_TYPE:
        return True
    if exc.error_code != _UNKNOWN_CLASSIFICATION:
        return False
    from atlas_ml.typedefs.load import load_typeset

    project = set(load_typeset().names("CLASSIFICATION"))
    # The error names the classification ("Given classification X was invalid").
    refused = {r.name for r in changes.classifications if f" {r.name} " in f" {exc.message} "}
    return bool(refused) and refused <= project
