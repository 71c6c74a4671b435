"""Bulk delivery for backfills and imports: many spooled events in few large requests.

``push`` delivers one event at a time, as a user's job needs (each event complete and
ordered, a handful of requests each). Atlas commits every write request as one transaction
and waits for its search index (``solr.wait-searcher``), so a request costs a large fixed
amount whatever its size: recording a platform's history (thousands of runs, imported from a
scheduler, MLflow or a generator) one event at a time takes hours. :func:`push_bulk` maps the
pending events in rounds, merges each round into one set of changes (an entity that many
events name is sent once), and sends it as few requests as fit:

- entities by reference depth (physical data and models, then versions, then steps and runs):
  every reference becomes a reference by qualifiedName to an entity already sent, so no
  placeholder ties thousands of entities into one giant request;
- new model versions numbered before they are sent (no request per version);
- classifications grouped by name (one request per classification and 100 entities), and
  business metadata sent inline with new entities (separately only for existing ones);
- then what ``push`` does per event on the merged set: inferred copies, propagation blocks.

The result in Atlas is the same as ``push``'s (REST only: ``transport = kafka`` does not
apply here); what differs is only when, within a round, each write lands. Data whose twin is
recorded in the same round is not linked as a copy (the twin is not in Atlas yet when the
round is checked): keep rounds smaller than the distance between a file and its copies, as
chronological spools do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from atlas_ml.client import AtlasClient, AtlasError, AtlasUnavailable
from atlas_ml.client.batching import is_placeholder
from atlas_ml.client.entities import UpsertResult
from atlas_ml.delivery import atlas as single
from atlas_ml.delivery.atlas import DeliveryReport
from atlas_ml.delivery.copies import infer_copies
from atlas_ml.delivery.fold import fold_runs
from atlas_ml.delivery.legacy_paths import LegacyPaths
from atlas_ml.delivery.propagation import block_propagation
from atlas_ml.delivery.spool import Spool, SpoolBusy
from atlas_ml.events import parse_event
from atlas_ml.mapping import AtlasChanges, map_event
from atlas_ml.typedefs.names import MODEL_TYPE, MODEL_VERSION_TYPE

log = logging.getLogger("atlas_ml.delivery")

ROUND = 500
"""Events merged per round."""
MODEL_VERSION = MODEL_VERSION_TYPE
MODEL = MODEL_TYPE
_CLASSIFY_CHUNK = 100
_ALREADY_CLASSIFIED = {"ATLAS-400-00-01A", "ATLAS-409-00-00B"}


def push_bulk(
    client: AtlasClient,
    spool: Spool | None = None,
    *,
    round_size: int = ROUND,
    on_round: Callable[[int, int], None] | None = None,
) -> DeliveryReport:
    """Deliver every pending event of ``spool``, ``round_size`` events per round.

    ``on_round(delivered so far, pending at start)`` is called after each round. Stops,
    keeping the rest pending, when Atlas is unavailable or refuses the credentials; a round
    Atlas refuses as a whole is delivered again one event at a time, setting aside the
    events at fault (as :func:`~.atlas.push` does).
    """
    spool = spool or Spool()
    report = DeliveryReport()
    try:
        with spool.lock():
            report.recovered_partial, report.torn_partial = spool.recover_partial_writes()
            pending = spool.pending()
            for start in range(0, len(pending), round_size):
                paths = pending[start : start + round_size]
                if not _round(client, spool, paths, report):
                    report.remaining = len(pending) - start
                    break
                if on_round is not None:
                    on_round(report.delivered, len(pending))
            spool.prune_delivered()
    except SpoolBusy as exc:
        report.stopped_by = str(exc)
    return report


def _round(client: AtlasClient, spool: Spool, paths: list[Path], report: DeliveryReport) -> bool:
    """Deliver ``paths`` merged; False when delivery must stop."""
    mapped: list[tuple[Path, AtlasChanges]] = []
    for path in paths:
        try:
            event = parse_event(path.read_bytes())
            mapped.append((path, _map(client, event)))
        except FileNotFoundError:
            continue
        except Exception as exc:  # mapping is pure: whatever fails is the event's fault
            report.reject(spool, path, f"{type(exc).__name__}: {exc}")
    if not mapped:
        return True
    merged = merge_changes([changes for _, changes in mapped])
    try:
        result = deliver_merged(client, merged)
    except (AtlasUnavailable, single.AtlasAuthError) as exc:
        report.stopped_by = f"Atlas is unavailable or refused the request: {exc}"
        return False
    except AtlasError as exc:
        log.warning("Atlas refused a merged round (%s); delivering it one event at a time", exc)
        return _one_by_one(client, spool, mapped, report)
    for path, changes in mapped:
        spool.mark_delivered(path)
        report.delivered += 1
        report.entities += len(changes.entities)
    report.guids.update(result.guids)
    return True


def _map(client: AtlasClient, event: dict[str, Any]) -> AtlasChanges:
    return map_event(event, client.config.namespace, lowercase_paths=client.config.lowercase_paths)


def _one_by_one(
    client: AtlasClient,
    spool: Spool,
    mapped: list[tuple[Path, AtlasChanges]],
    report: DeliveryReport,
) -> bool:
    """Deliver a round Atlas refused merged one event at a time, as ``push`` does: the
    events at fault are set aside in ``rejected/`` with the reason."""
    for path, changes in mapped:
        try:
            result = single.deliver_changes(client, changes)
        except (AtlasUnavailable, single.AtlasAuthError) as exc:
            report.stopped_by = f"Atlas is unavailable or refused the request: {exc}"
            return False
        except AtlasError as exc:
            report.reject(spool, path, str(exc))
            continue
        spool.mark_delivered(path)
        report.delivered += 1
        report.entities += len(changes.entities)
        report.guids.update(result.guids)
    return True


# --- merging ------------------------------------------------------------------------------


def merge_changes(all_changes: Iterable[AtlasChanges]) -> AtlasChanges:
    """One set of changes for many events: each entity once (attributes merged, later
    events' values winning), references re-pointed, requests concatenated."""
    merged = AtlasChanges()
    seen_requests: set[Any] = set()
    for changes in all_changes:
        local: dict[str, str] = {}
        for entity in changes.entities:
            ref = merged.add(
                entity["typeName"], {"qualifiedName": entity["attributes"]["qualifiedName"]}
            )
            local[str(entity["guid"])] = ref["guid"]
        for entity in changes.entities:
            merged.add(
                entity["typeName"],
                _repoint(entity["attributes"], local),
                _repoint(entity.get("relationshipAttributes"), local) or None,
            )
        for request in changes.classifications:
            key = (request.type_name, request.qualified_name, request.name)
            if key not in seen_requests:
                seen_requests.add(key)
                merged.classifications.append(request)
        merged.business_metadata.extend(changes.business_metadata)
        merged.optional_references |= changes.optional_references
        merged.infer_copies = merged.infer_copies and changes.infer_copies
    return merged


def _repoint(value: Any, local: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {k: _repoint(v, local) for k, v in value.items()}
        guid = value.get("guid")
        if is_placeholder(guid) and str(guid) in local:
            out["guid"] = local[str(guid)]
        return out
    if isinstance(value, list):
        return [_repoint(v, local) for v in value]
    return value


# --- sending --------------------------------------------------------------------------------


def deliver_merged(client: AtlasClient, changes: AtlasChanges) -> UpsertResult:
    """Send merged changes: entities by reference depth, then numbers, classifications,
    business metadata and propagation blocks, each in bulk."""
    single._drop_missing_references(client, changes)
    fold_runs(client, changes)
    single._keep_first_registration(client, changes)
    legacy = LegacyPaths()
    legacy.note(client, changes)
    _infer_copies(client, changes)
    number_model_versions(client, changes)
    _business_metadata_inline(changes)
    result = UpsertResult()
    for level in by_depth(changes.entities):
        part = client.entities.upsert(level)
        result.guids.update(part.guids)
        result.created += part.created
        result.updated += part.updated
        result.batches += part.batches
    result.placeholders = {
        e["guid"]: result.guids[e["attributes"]["qualifiedName"]]
        for e in changes.entities
        if e["attributes"]["qualifiedName"] in result.guids
    }
    attach_classifications(client, changes, result)
    _business_metadata_rest(client, changes, result)
    _block_propagation(client, changes, result)
    legacy.warn(client)
    return result


def by_depth(entities: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The entities in levels: each refers only to entities of earlier levels, by
    qualifiedName (placeholders are resolved here, so none crosses a request)."""
    by_guid = {str(e["guid"]): e for e in entities}
    depth: dict[str, int] = {}

    def level(guid: str, trail: frozenset[str]) -> int:
        if guid in depth:
            return depth[guid]
        if guid in trail:
            raise ValueError("placeholder references form a cycle")
        entity = by_guid[guid]
        refs = [r for r in _placeholders(entity) if r in by_guid and r != guid]
        found = 1 + max((level(r, trail | {guid}) for r in refs), default=-1)
        depth[guid] = found
        return found

    try:
        for guid in by_guid:
            level(guid, frozenset())
    except ValueError:
        return [entities]  # a cycle: keep the placeholders, one planned upsert
    levels: dict[int, list[dict[str, Any]]] = {}
    for entity in entities:
        levels.setdefault(depth[str(entity["guid"])], []).append(_by_name(entity, by_guid))
    return [levels[d] for d in sorted(levels)]


def _placeholders(entity: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if is_placeholder(value.get("guid")):
                found.append(str(value["guid"]))
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(entity.get("attributes"))
    walk(entity.get("relationshipAttributes"))
    return found


def _by_name(entity: dict[str, Any], by_guid: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``entity`` with every placeholder reference replaced by a qualifiedName reference."""

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            guid = value.get("guid")
            if is_placeholder(guid) and str(guid) in by_guid:
                target = by_guid[str(guid)]
                ref: dict[str, Any] = {
                    "typeName": target["typeName"],
                    "uniqueAttributes": {"qualifiedName": target["attributes"]["qualifiedName"]},
                }
                if "relationshipType" in value:
                    ref["relationshipType"] = value["relationshipType"]
                return ref
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    out = {k: v for k, v in entity.items() if k not in ("attributes", "relationshipAttributes")}
    out["attributes"] = convert(entity["attributes"])
    if entity.get("relationshipAttributes"):
        out["relationshipAttributes"] = convert(entity["relationshipAttributes"])
    return out


def number_model_versions(client: AtlasClient, changes: AtlasChanges) -> None:
    """Number the model versions Atlas does not hold yet: 1 + the highest number of their
    model, in the order they were registered; those Atlas holds keep theirs."""
    versions = [
        e
        for e in changes.entities
        if e["typeName"] == MODEL_VERSION and not e["attributes"].get("versionNumber")
    ]
    if not versions:
        return
    names = [e["attributes"]["qualifiedName"] for e in versions]
    known = {
        (e.get("attributes") or {}).get("qualifiedName")
        for e in client.entities.get_bulk_by_unique_attributes(MODEL_VERSION, names)
    }
    by_guid = {str(e["guid"]): e for e in changes.entities}
    new: dict[str, list[dict[str, Any]]] = {}
    for entity in versions:
        if entity["attributes"]["qualifiedName"] in known:
            continue
        model = (entity.get("relationshipAttributes") or {}).get("model") or {}
        model_entity = by_guid.get(str(model.get("guid")))
        if model_entity is None:
            continue
        new.setdefault(model_entity["attributes"]["qualifiedName"], []).append(entity)
    if not new:
        return
    highest = _highest_numbers(client, list(new))
    for model_name, entities in new.items():
        number = highest.get(model_name, 0)
        for entity in sorted(
            entities,
            key=lambda e: (
                e["attributes"].get("registeredTime") or 0,
                e["attributes"]["qualifiedName"],
            ),
        ):
            number += 1
            entity["attributes"]["versionNumber"] = number


def _highest_numbers(client: AtlasClient, models: list[str]) -> dict[str, int]:
    found = client.entities.get_bulk_by_unique_attributes(MODEL, models)
    members: dict[str, str] = {}
    for model in found:
        name = (model.get("attributes") or {}).get("qualifiedName")
        for ref in (model.get("relationshipAttributes") or {}).get("versions") or []:
            if ref.get("guid"):
                members[str(ref["guid"])] = str(name)
    highest: dict[str, int] = {}
    for version in client.entities.get_bulk(list(members), ignore_relationships=True):
        name = members.get(str(version.get("guid")))
        number = (version.get("attributes") or {}).get("versionNumber") or 0
        if name is not None:
            highest[name] = max(highest.get(name, 0), int(number))
    return highest


def attach_classifications(
    client: AtlasClient, changes: AtlasChanges, result: UpsertResult
) -> None:
    """Attach the requested classifications the entities lack, one request per
    classification (and attributes) for up to 100 entities."""
    wanted = [
        (r, result.guids[r.qualified_name])
        for r in changes.classifications
        if r.qualified_name in result.guids
    ]
    if not wanted:
        return
    current = _current(client, [guid for _, guid in wanted])
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for request, guid in wanted:
        entity = current.get(guid) or {}
        own = {
            c.get("typeName")
            for c in entity.get("classifications") or []
            if c.get("entityGuid") in (None, guid)
        }
        if request.name in own:
            continue
        classification = request.classification()
        key = json.dumps(classification, sort_keys=True, default=str)
        groups.setdefault(key, (classification, []))[1].append(guid)
    for classification, guids in groups.values():
        for start in range(0, len(guids), _CLASSIFY_CHUNK):
            chunk = list(dict.fromkeys(guids[start : start + _CLASSIFY_CHUNK]))
            try:
                client.entities.add_classification_bulk(classification, chunk)
            except AtlasError as exc:
                if exc.status is None or exc.status >= 500:
                    raise
                for guid in chunk:  # one already had it (a race): the rest one by one
                    try:
                        client.entities.add_classifications(guid, [classification])
                    except AtlasError as inner:
                        if inner.error_code not in _ALREADY_CLASSIFIED:
                            raise


def _current(client: AtlasClient, guids: list[str]) -> dict[str, dict[str, Any]]:
    entities = client.entities.get_bulk(list(dict.fromkeys(guids)), ignore_relationships=True)
    return {str(e.get("guid")): e for e in entities}


def _business_metadata_inline(changes: AtlasChanges) -> None:
    """Put the business metadata requested for each entity into it: Atlas applies it when
    it creates the entity (updates of existing ones follow, see below)."""
    requests = changes.business_metadata
    if not requests:
        return
    by_name = {(e["typeName"], e["attributes"]["qualifiedName"]): e for e in changes.entities}
    for request in requests:
        entity = by_name.get((request.type_name, request.qualified_name))
        if entity is not None:
            entity.setdefault("businessAttributes", {}).setdefault(request.name, {}).update(
                request.attributes
            )


def _business_metadata_rest(
    client: AtlasClient, changes: AtlasChanges, result: UpsertResult
) -> None:
    """Set the business metadata existing entities did not take from the upsert (merging
    with what they hold, as ``push`` does)."""
    requests = [r for r in changes.business_metadata if r.qualified_name in result.guids]
    if not requests:
        return
    current = _current(client, [result.guids[r.qualified_name] for r in requests])
    for request in requests:
        guid = result.guids[request.qualified_name]
        held = ((current.get(guid) or {}).get("businessAttributes") or {}).get(request.name) or {}
        if all(held.get(k) == v for k, v in request.attributes.items()):
            continue
        client.transport.request(
            "POST",
            f"/v2/entity/guid/{guid}/businessmetadata",
            params={"isOverwrite": "false"},
            json={request.name: request.attributes},
            idempotent=True,
        )


def _infer_copies(client: AtlasClient, changes: AtlasChanges) -> None:
    """Link data to classified data with the same bytes (as ``push`` does, see
    :mod:`.copies`), unless the config or the events' producers turned it off."""
    if client.config.infer_copies and changes.infer_copies:
        infer_copies(client, changes)


def _block_propagation(client: AtlasClient, changes: AtlasChanges, result: UpsertResult) -> None:
    """Stop classifications at the steps that removed what they describe (as ``push``
    does, see :mod:`.propagation`)."""
    block_propagation(client, changes, result)
