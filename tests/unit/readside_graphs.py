"""Hand-built provenance graphs for the read side's unit tests: entities shaped as Atlas's
``GET /v2/entity/bulk`` returns them, turned into a :class:`ProvenanceGraph` without a
server (nothing is read: every node is already there)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from atlas_ml.provenance import ProvenanceGraph
from atlas_ml.provenance.build import node_from_entity


def ref(guid: str, type_name: str = "DataSet", **extra: Any) -> dict[str, Any]:
    return {"guid": guid, "typeName": type_name, "entityStatus": "ACTIVE", **extra}


@dataclass
class Builder:
    """Entities by guid, with the links both ends of Atlas's relationships show."""

    entities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _entity(self, guid: str, type_name: str, name: str, **attributes: Any) -> dict[str, Any]:
        entity = {
            "guid": guid,
            "typeName": type_name,
            "status": "ACTIVE",
            "attributes": {"qualifiedName": f"{name}@test", "name": name, **attributes},
            "relationshipAttributes": {},
            "classifications": [],
        }
        self.entities[guid] = entity
        return entity

    def path(self, guid: str, path: str) -> dict[str, Any]:
        entity = self._entity(guid, "hdfs_path", path, path=path)
        entity["relationshipAttributes"] = {"outputFromProcesses": [], "atlasmlDatasetVersions": []}
        return entity

    def version(
        self,
        guid: str,
        name: str,
        *,
        uri: str | None = None,
        manifest: str | None = None,
        content: str | None = None,
        rows: int | None = 10,
        schema: list[tuple[str, str]] | None = None,
        columns: dict[str, str] | None = None,
        status: str | None = None,
        snapshot_of: str | None = None,
    ) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "uri": uri,
            "manifestRootHash": manifest,
            "contentHash": content,
            "rowCount": rows,
            "verificationStatus": status,
        }
        if schema is not None:
            attributes["schemaJson"] = json.dumps([{"name": n, "type": t} for n, t in schema])
        if columns is not None:
            attributes["fingerprints"] = json.dumps({"logical": {"columns": columns}})
        entity = self._entity(guid, "atlasml_dataset_version", name, **attributes)
        entity["relationshipAttributes"] = {"outputFromProcesses": []}
        if snapshot_of:
            entity["relationshipAttributes"]["snapshotOf"] = ref(snapshot_of, "hdfs_path")
            physical = self.entities[snapshot_of]["relationshipAttributes"]
            physical["atlasmlDatasetVersions"].append(ref(guid, "atlasml_dataset_version"))
        return entity

    def process(
        self,
        guid: str,
        name: str,
        inputs: list[str],
        outputs: list[str],
        type_name: str = "atlasml_transform",
        **attributes: Any,
    ) -> dict[str, Any]:
        entity = self._entity(
            guid,
            type_name,
            name,
            inputs=[ref(g, self.entities[g]["typeName"]) for g in inputs],
            outputs=[ref(g, self.entities[g]["typeName"]) for g in outputs],
            **attributes,
        )
        for output in outputs:
            produced = self.entities[output]["relationshipAttributes"]
            produced.setdefault("outputFromProcesses", []).append(ref(guid, type_name))
        return entity

    def model_version(self, guid: str, name: str, **attributes: Any) -> dict[str, Any]:
        entity = self._entity(
            guid, "atlasml_model_version", name, artifactSha256=guid * 4, **attributes
        )
        entity["relationshipAttributes"] = {"outputFromProcesses": [], "evaluations": []}
        return entity

    def classify(self, guid: str, name: str, source: str | None = None) -> None:
        self.entities[guid]["classifications"].append(
            {"typeName": name, "entityGuid": source or guid, "propagate": True}
        )

    def graph(self) -> ProvenanceGraph:
        graph = ProvenanceGraph(client=None)  # type: ignore[arg-type]
        for entity in self.entities.values():
            node = node_from_entity(entity)
            graph.nodes[node.guid] = node
            graph._full.add(node.guid)
        return graph


def pipeline(
    builder: Builder,
    prefix: str,
    raw_content: str,
    *,
    code: str = "c1",
    params: dict[str, str] | None = None,
    raw_schema: list[tuple[str, str]] | None = None,
    raw_path: str = "/raw/clicks.csv",
    columns: dict[str, str] | None = None,
    features_content: str | None = None,
) -> tuple[str, str]:
    """raw path -> snapshot -> raw version -> clean -> features version -> run -> model
    version; returns (model version guid, run guid). Entities named ``prefix``-..."""
    schema = raw_schema or [("user", "int64"), ("page", "string")]
    p = f"{prefix}"
    if f"path:{raw_path}" not in builder.entities:
        builder.path(f"path:{raw_path}", raw_path)
    builder.version(
        f"{p}-raw",
        f"clicks.csv@{raw_content[:6]}",
        uri=f"file:{raw_path}",
        manifest=f"m-{raw_content}",
        content=f"c-{raw_content}",
        schema=schema,
        columns=columns or {n: f"{n}-{raw_content}" for n, _ in schema},
        snapshot_of=f"path:{raw_path}",
    )
    builder.process(
        f"{p}-snap", "snapshot clicks.csv", [f"path:{raw_path}"], [f"{p}-raw"], stepKind="INGEST"
    )
    feature_hash = features_content or f"{raw_content}-{code}-{sorted((params or {}).items())}"
    builder.version(
        f"{p}-features",
        f"features@{p}",
        content=f"c-{feature_hash}",
        schema=[("user", "int64"), ("visits", "int64")],
    )
    builder.process(
        f"{p}-clean",
        "pipe.clean",
        [f"{p}-raw"],
        [f"{p}-features"],
        stepKind="CLEAN",
        codeFingerprint=code,
        parameters=params or {},
    )
    builder.model_version(f"{p}-mv", f"model@{p}")
    builder.process(
        f"{p}-run",
        f"model run {p}",
        [f"{p}-features"],
        [f"{p}-mv"],
        type_name="atlasml_training_run",
        status="SUCCEEDED",
        codeRevision="rev1",
        parameters={"depth": "4"},
        inputRoles={f"features@{p}@test": "train"},
    )
    return f"{p}-mv", f"{p}-run"
