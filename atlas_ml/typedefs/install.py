"""Install, upgrade and remove a type set on a live Atlas.

``install`` validates locally, diffs against the server, refuses what Atlas cannot apply
before sending anything, then creates the missing types in ONE request and updates the
changed ones in ONE request (Atlas applies each atomically). If the update is rejected after
the create succeeded, the types just created are deleted again, so a failed install leaves
the server as it found it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from atlas_ml.client import AtlasClient, AtlasError
from atlas_ml.typedefs.diff import TypedefPlan, plan_install
from atlas_ml.typedefs.model import KEY_OF_CATEGORY, TypedefError, TypeSet
from atlas_ml.typedefs.validate import TypedefValidationError, referenced_types, validate_typeset

log = logging.getLogger(__name__)

SERVICE_TYPE = "atlas_ml"
_DELETE_CHUNK = 100
# Dependents go first: relationship and business metadata defs refer to entity types,
# entity types refer to structs and enums.
_DELETE_ORDER = ("RELATIONSHIP", "BUSINESS_METADATA", "CLASSIFICATION", "ENTITY", "STRUCT", "ENUM")


class TypedefInstallError(TypedefError):
    """Atlas rejected a typedef request; nothing of it was left behind."""


class UninstallRefused(TypedefError):
    """Removing the types would destroy data or break other types."""


@dataclass
class InstallReport:
    plan: TypedefPlan
    dry_run: bool

    @property
    def created(self) -> list[str]:
        return self.plan.create

    @property
    def updated(self) -> list[str]:
        return list(self.plan.update)


@dataclass
class UninstallReport:
    """What an uninstall removed (or, in a dry run, would remove).

    ``instances`` counts, per entity type, its entities and, per classification, the entities
    it was attached to: those are what ``force`` purges or untags. ``propagated`` counts the
    entities that carry a classification only by propagation; they lose it with its source.
    """

    deleted: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    instances: dict[str, int] = field(default_factory=dict)
    propagated: dict[str, int] = field(default_factory=dict)
    entities_purged: int = 0
    dry_run: bool = False


def server_typeset(client: AtlasClient) -> TypeSet:
    """Every type the server has, as a :class:`TypeSet`."""
    return TypeSet.from_types_def(client.typedefs.get_all(), source="server")


def _known_outside(server: TypeSet, local: TypeSet) -> TypeSet:
    known = TypeSet()
    for name, category, typedef in server.items():
        if name not in local.defs:
            known.add(category, typedef, "server")
    return known


def plan(client: AtlasClient, local: TypeSet, *, validate: bool = True) -> TypedefPlan:
    """Validate ``local`` against the server's types and diff it (sends nothing)."""
    server = server_typeset(client)
    if validate:
        validate_typeset(local, _known_outside(server, local))
    result = plan_install(local, server)
    if result.refused:
        raise TypedefValidationError(result.refused)
    return result


def install(
    client: AtlasClient, local: TypeSet, *, dry_run: bool = False, validate: bool = True
) -> InstallReport:
    """Create missing and update changed types; idempotent."""
    result = plan(client, local, validate=validate)
    report = InstallReport(result, dry_run)
    if dry_run or result.is_empty:
        return report
    if result.create:
        _send(
            "create",
            lambda: client.typedefs.create(local.to_types_def(result.create)),
            result.create,
        )
    if result.update:
        body = TypeSet()
        for name, merged in result.update.items():
            body.add(local.categories[name], merged, local.sources.get(name, ""))
        try:
            _send(
                "update", lambda: client.typedefs.update(body.to_types_def()), list(result.update)
            )
        except TypedefInstallError:
            if result.create:
                log.warning(
                    "update rejected; deleting the %d types just created", len(result.create)
                )
                client.typedefs.delete(local.to_types_def(result.create))
            raise
    return report


def _send(action: str, call: Callable[[], object], names: list[str]) -> None:
    try:
        call()
    except AtlasError as exc:
        raise TypedefInstallError(
            f"Atlas refused to {action} types {', '.join(names)}: {exc.message}; "
            "nothing of this request was applied",
            type_name=_named_type(exc.message, names),
            atlas_code=exc.error_code,
        ) from exc


def _named_type(message: str, names: Iterable[str]) -> str | None:
    """The type Atlas's message is about, if it names one of ours."""
    for name in sorted(names, key=len, reverse=True):
        if name in message:
            return name
    return None


def uninstall(
    client: AtlasClient, local: TypeSet, *, force: bool = False, dry_run: bool = False
) -> UninstallReport:
    """Delete the type set's types from the server in dependency order.

    Only types the server marks with ``serviceType`` ``atlas_ml`` are touched: a same-named
    type that someone else installed (a pre-existing ``PII``, say) and every stock type are
    left alone. Refuses while entities (or classified entities) exist unless ``force``, which
    deletes and purges the entities first.
    """
    server = server_typeset(client)
    report = UninstallReport(dry_run=dry_run)
    targets: list[str] = []
    for name in local.defs:
        remote = server.defs.get(name)
        if remote is None:
            continue
        if remote.get("serviceType") != SERVICE_TYPE:
            report.skipped[name] = f"serviceType is {remote.get('serviceType')!r}, not atlas_ml"
            continue
        targets.append(name)
    dependents = _outside_dependents(server, set(targets))
    if dependents:
        raise UninstallRefused(
            "other types depend on the types to remove: "
            + "; ".join(f"{d} uses {', '.join(sorted(u))}" for d, u in sorted(dependents.items()))
            + ". Remove those types first"
        )
    tagged: dict[str, list[str]] = {}
    for name in targets:
        # Existence is enough to refuse; a forced run reports exactly what it destroys.
        if force and server.categories[name] == "CLASSIFICATION":
            tagged[name], propagated = _tagged_directly(client, name)
            count = len(tagged[name])
            if propagated:
                report.propagated[name] = propagated
        else:
            count = _instance_count(client, name, server.categories[name], None if force else 1)
        if count:
            report.instances[name] = count
    if report.instances and not force:
        raise UninstallRefused(
            "entities still use "
            + ", ".join(f"{n} ({c}+)" for n, c in report.instances.items())
            + "; delete them first or pass --force to delete and purge them"
        )
    ordered = _subtypes_first(targets, server)
    if dry_run or not targets:
        report.deleted = ordered
        return report
    if report.instances:
        report.entities_purged = _clear_instances(client, server, list(report.instances), tagged)
    body: dict[str, list[dict[str, str]]] = {key: [] for key in KEY_OF_CATEGORY.values()}
    for name in ordered:
        body[KEY_OF_CATEGORY[server.categories[name]]].append({"name": name})
    _send("delete", lambda: client.typedefs.delete(body), ordered)
    report.deleted = ordered
    return report


def _outside_dependents(server: TypeSet, targets: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, _category, typedef in server.items():
        if name in targets:
            continue
        used = set(typedef.get("superTypes") or [])
        for attribute in typedef.get("attributeDefs") or []:
            used.update(referenced_types(attribute.get("typeName", "")))
        for end in ("endDef1", "endDef2"):
            if isinstance(typedef.get(end), dict):
                used.add(typedef[end].get("type"))
        hits = used & targets
        if hits:
            found[name] = hits
    return found


def _instance_count(client: AtlasClient, name: str, category: str, limit: int | None) -> int:
    if category == "ENTITY":
        hits = client.search.basic(
            name, exclude_deleted=False, include_subtypes=False, sort_by=None, limit=limit
        )
        return sum(1 for _ in hits)
    if category == "CLASSIFICATION":
        return sum(1 for _ in _classified(client, name, limit=limit))
    return 0


def _classified(client: AtlasClient, name: str, limit: int | None = None) -> Iterator[str]:
    """Guids of entities carrying exactly ``name`` (not one of its subtypes), propagated or not."""
    hits = client.search.basic(
        classification=name, include_subclassifications=False, sort_by=None, limit=limit
    )
    return (header["guid"] for header in hits)


def _tagged_directly(client: AtlasClient, name: str) -> tuple[list[str], int]:
    """Guids of the entities ``name`` was attached to, and how many more carry it propagated.

    Only an attached classification can be removed; a propagated copy goes away with its
    source. Basic search finds both kinds, so each entity's own classifications tell them apart.
    """
    direct: list[str] = []
    propagated = 0
    for guid in list(_classified(client, name)):
        tags = client.entities.get(guid)["entity"].get("classifications") or []
        if any(t["typeName"] == name and t.get("entityGuid", guid) == guid for t in tags):
            direct.append(guid)
        else:
            propagated += 1
    return direct, propagated


def _clear_instances(
    client: AtlasClient, server: TypeSet, names: list[str], tagged: dict[str, list[str]]
) -> int:
    purged = 0
    for name in names:
        if server.categories[name] == "CLASSIFICATION":
            for guid in tagged[name]:
                client.entities.remove_classification(guid, name)
            continue
        guids = [
            h["guid"]
            for h in client.search.basic(
                name, exclude_deleted=False, include_subtypes=False, sort_by=None
            )
        ]
        for start in range(0, len(guids), _DELETE_CHUNK):
            chunk = guids[start : start + _DELETE_CHUNK]
            client.entities.delete(chunk)
            client.entities.purge(chunk)
        purged += len(guids)
    return purged


def _subtypes_first(names: list[str], server: TypeSet) -> list[str]:
    """Order so that a type comes before its supertypes (within one category)."""
    depth: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in depth:
            depth[name] = 0
            supers = server.defs.get(name, {}).get("superTypes") or []
            depth[name] = 1 + max((level(s) for s in supers), default=-1)
        return depth[name]

    return sorted(names, key=lambda n: (_DELETE_ORDER.index(server.categories[n]), -level(n)))
