"""Walk two lineages in lockstep, from two model versions back to their sources, and name
where they diverge.

Pure: works on a :class:`~atlas_ml.provenance.ProvenanceGraph` that already holds both
lineages. At each pair of data the recorded fingerprints decide: the same entity, or the same
bytes (at another path: *moved*, not a data change), stops the walk there; different data
sends it on to the producers, whose code fingerprints and parameters are compared, and to
their inputs. A divergence nothing upstream explains is a root cause; the first one is the
most upstream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from atlas_ml.provenance import Node, ProvenanceGraph
from atlas_ml.trace.compare import compare_data
from atlas_ml.trace.pairing import pair, part_of
from atlas_ml.trace.result import Divergence, Kind, TraceNode

_SOURCE_STEP_KINDS = {"INGEST", "COPY"}


@dataclass
class Lockstep:
    graph: ProvenanceGraph
    divergences: list[Divergence] = field(default_factory=list)
    _seen: dict[tuple[str, str], bool] = field(default_factory=dict)

    def node(self, guid: str) -> Node | None:
        return self.graph.get(guid)

    # --- the model versions and their runs ------------------------------------------------
    def models(self, left: str, right: str, left_run: str, right_run: str) -> TraceNode:
        root = TraceNode(left, "same" if left == right else "differs", counterpart=right)
        child, _ = self.process_pair(left_run, right_run, 1, roles=True)
        root.children.append(child)
        return root

    # --- processes --------------------------------------------------------------------------
    def process_pair(
        self, left: str, right: str, depth: int, roles: bool = False
    ) -> tuple[TraceNode, bool]:
        """Compare two processes and everything upstream of them; True when data differs."""
        if left == right:
            return TraceNode(left, "same", counterpart=right), False
        key = (left, right)
        if key in self._seen:
            return TraceNode(left, "shown above", counterpart=right, shown_above=True), self._seen[
                key
            ]
        self._seen[key] = False
        a, b = self.node(left), self.node(right)
        details: list[str] = []
        statuses: list[str] = []
        code = _code_change(a, b)
        if code:
            self._diverge(Kind.STEP_CODE_CHANGED, depth, left, right, code)
            statuses.append("code changed")
            details += code
        params = _parameter_change(a, b)
        if params:
            self._diverge(Kind.PARAMETERS_CHANGED, depth, left, right, params)
            statuses.append("parameters changed")
            details += params
        keyer = self._role_key(a, b) if roles else self._part
        pairs, only_left, only_right = pair(
            self.graph.parents(left), self.graph.parents(right), keyer
        )
        children = []
        upstream = False
        for x, y in pairs:
            child, changed = self.data_pair(x, y, depth + 1)
            children.append(child)
            upstream |= changed
        if only_left or only_right:
            missing = [f"only in this lineage: {self._label(g)}" for g in only_left]
            missing += [f"only in the other lineage: {self._label(g)}" for g in only_right]
            self._diverge(Kind.INPUTS_CHANGED, depth, left, right, missing)
            statuses.append("inputs changed")
            details += missing
            children += [TraceNode(g, "only here") for g in only_left]
            upstream = True
        changed = bool(code or params) or upstream
        status = ", ".join(statuses) or ("same code and parameters" if changed else "unchanged")
        self._seen[key] = changed
        return TraceNode(left, status, "; ".join(details), right, children), changed

    def _role_key(self, a: Node | None, b: Node | None) -> Callable[[str], str]:
        roles: dict[str, str] = {}
        for run in (a, b):
            if run is not None and run.run is not None:
                for guid in run.inputs:
                    node = self.node(guid)
                    if node is not None and node.qualified_name in run.run.input_roles:
                        roles[guid] = "role:" + run.run.input_roles[node.qualified_name]

        def key(guid: str) -> str:
            return roles.get(guid) or self._part(guid)

        return key

    def _part(self, guid: str) -> str:
        return part_of(self.node(guid))

    # --- data ---------------------------------------------------------------------------------
    def data_pair(self, left: str, right: str, depth: int) -> tuple[TraceNode, bool]:
        if left == right:
            return TraceNode(left, "same", counterpart=right), False
        key = (left, right)
        if key in self._seen:
            return TraceNode(left, "shown above", counterpart=right, shown_above=True), self._seen[
                key
            ]
        self._seen[key] = True
        a, b = self.node(left), self.node(right)
        if _unfingerprinted(a) and _unfingerprinted(b):
            return self._plain_pair(left, right, depth)
        diff = compare_data(a.dataset, b.dataset) if a and b and a.dataset and b.dataset else None
        if diff is not None and diff.identical:
            self._seen[key] = False
            if not diff.same_location:
                moved = [
                    f"{a.dataset.uri if a and a.dataset else '?'} -> "
                    f"{b.dataset.uri if b and b.dataset else '?'}"
                ]
                self._diverge(Kind.DATA_MOVED, depth, left, right, moved)
                return TraceNode(left, "moved", moved[0], right), False
            return TraceNode(left, "same content", counterpart=right), False
        findings = diff.findings() if diff is not None else []
        producers_left, producers_right = self.graph.parents(left), self.graph.parents(right)
        children, upstream = self._writers(left, right, depth)
        if upstream:
            status = "changed (upstream)"
        elif self._from_source(producers_left) and self._from_source(producers_right):
            kind = (
                Kind.SCHEMA_CHANGED
                if diff is not None and diff.schema_changed
                else (Kind.SOURCE_DATA_CHANGED)
            )
            self._diverge(kind, depth, left, right, findings)
            status = "changed at the source"
        else:
            self._diverge(Kind.UNEXPLAINED, depth, left, right, findings)
            status = "changed"
        detail = "; ".join(findings)
        return TraceNode(left, status, detail, right, children), True

    def _writers(self, left: str, right: str, depth: int) -> tuple[list[TraceNode], bool]:
        """Walk what wrote ``left`` and ``right`` in lockstep, one level up; a writer on one
        side only is an inputs divergence. Returns the walked nodes and whether anything
        upstream changed."""
        pairs, only_left, only_right = pair(
            self.graph.parents(left), self.graph.parents(right), self._part
        )
        children = []
        changed = bool(only_left or only_right)
        for x, y in pairs:
            child, upstream = self.process_pair(x, y, depth + 1)
            children.append(child)
            changed |= upstream
        if only_left or only_right:
            where = [f"written only in this lineage by {self._label(g)}" for g in only_left]
            where += [f"written only in the other lineage by {self._label(g)}" for g in only_right]
            self._diverge(Kind.INPUTS_CHANGED, depth, left, right, where)
        return children, changed

    def _plain_pair(self, left: str, right: str, depth: int) -> tuple[TraceNode, bool]:
        """Two locations with no recorded fingerprints (paths): they say nothing about the
        data themselves, so the comparison goes on to what wrote them; with no writer on
        either side, the dataset versions read from them are where a change shows."""
        children, changed = self._writers(left, right, depth)
        self._seen[(left, right)] = changed
        status = "changed (upstream)" if changed else "other location"
        return TraceNode(left, status, "", right, children), changed

    def _from_source(self, producers: list[str]) -> bool:
        """No recorded producer, or only atlas-ml's own snapshot/copy steps."""
        for guid in producers:
            node = self.node(guid)
            if node is None or node.step is None:
                return False
            if (node.step.step_kind or "").upper() not in _SOURCE_STEP_KINDS:
                return False
        return True

    def _diverge(
        self, kind: Kind, depth: int, left: str | None, right: str | None, details: list[str]
    ) -> None:
        self.divergences.append(Divergence(kind, depth, left, right, list(details)))

    def _label(self, guid: str) -> str:
        node = self.node(guid)
        return node.label if node is not None else guid


def _code_change(a: Node | None, b: Node | None) -> list[str]:
    """How the code of two processes differs, by the most precise record both have: the
    code fingerprint, else the revision, else the code reference."""
    if a is None or b is None:
        return []
    for field_name, label in (
        ("code_fingerprint", "code sha256"),
        ("code_revision", "code revision"),
        ("code_reference", "code"),
    ):
        old, new = _code_field(a, field_name), _code_field(b, field_name)
        if old and new:  # the most precise record both sides have decides
            return [] if old == new else [f"{label} {old[:12]} -> {new[:12]}"]
    return []


def _code_field(node: Node, name: str) -> str | None:
    if node.step is not None:
        value = getattr(node.step, name)
        if value:
            return str(value)
    if node.run is not None and name in ("code_revision", "code_reference"):
        value = getattr(node.run, name)
        return str(value) if value else None
    return None


def _parameter_change(a: Node | None, b: Node | None) -> list[str]:
    if a is None or b is None:
        return []
    old = (a.step.parameters if a.step else {}) or (a.run.parameters if a.run else {})
    new = (b.step.parameters if b.step else {}) or (b.run.parameters if b.run else {})
    changes = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            changes.append(f"{name}: {old.get(name, '(unset)')} -> {new.get(name, '(unset)')}")
    return changes


def _unfingerprinted(node: Node | None) -> bool:
    return node is not None and (node.dataset is None or not node.dataset.has_fingerprint)
