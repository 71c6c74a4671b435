"""Make :class:`~atlas_ml.provenance.model.Node` records from entities as Atlas returns them.

Pure: the JSON of ``GET /v2/entity/bulk`` (or a search result's header) in, a node out. What a
type does not carry stays empty; an attribute Atlas holds in an unexpected shape is left out
rather than failing the whole report.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from atlas_ml.provenance.model import (
    DATASET_VERSION,
    EVALUATION,
    MODEL,
    MODEL_VERSION,
    PIPELINE_RUN,
    SPARK_APPLICATION,
    TRAINING_RUN,
    VALIDATION,
    ClassificationMark,
    Column,
    DatasetFacts,
    EvaluationFacts,
    ModelFacts,
    Node,
    RunFacts,
    StepFacts,
    ValidationFacts,
)
from atlas_ml.typedefs.names import (
    COMPLIANCE_METADATA,
    PROVENANCE_METADATA,
    SPARK_COLUMN_LINEAGE_TYPE,
)

COMPLIANCE = COMPLIANCE_METADATA
PROVENANCE = PROVENANCE_METADATA
RUN_TYPES = frozenset({TRAINING_RUN, PIPELINE_RUN})
_PROCESS_HINTS = ("inputs", "outputs")


def iso_time(value: Any) -> str | None:
    """Atlas dates (epoch milliseconds) as ISO-8601 UTC; ``None`` for unset (0 or absent)."""
    if value in (None, "", 0):
        return None
    if isinstance(value, str) and not value.lstrip("-").isdigit():
        return value
    try:
        moment = datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def ref_types(*values: Any) -> dict[str, str]:
    """guid -> typeName of the entities reference attributes name."""
    found: dict[str, str] = {}
    for value in values:
        refs = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for ref in refs:
            if isinstance(ref, dict) and ref.get("guid") and ref.get("typeName"):
                found[str(ref["guid"])] = str(ref["typeName"])
    return found


def live_refs(value: Any) -> list[str]:
    """guids of the entities a reference attribute names, leaving out deleted ones."""
    refs = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    guids = []
    for ref in refs:
        if not isinstance(ref, dict) or not ref.get("guid"):
            continue
        if ref.get("entityStatus", "ACTIVE") != "ACTIVE":
            continue
        if ref.get("relationshipStatus", "ACTIVE") != "ACTIVE":
            continue
        guids.append(str(ref["guid"]))
    return list(dict.fromkeys(guids))


def _reference(entity: dict[str, Any], name: str) -> Any:
    """A reference attribute, from the relationship attributes (which say whether each link
    is still active) when present, else from the plain attributes."""
    relations = entity.get("relationshipAttributes") or {}
    if name in relations and relations[name] is not None:
        return relations[name]
    return (entity.get("attributes") or {}).get(name)


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if v is not None}


def _floats(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    out = {}
    for key, number in value.items():
        try:
            out[str(key)] = float(number)
        except (TypeError, ValueError):
            continue
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def kind_of(type_name: str, entity: dict[str, Any]) -> str:
    """``dataset``, ``process``, ``model_version``, ``model`` or ``other``."""
    if type_name == MODEL_VERSION:
        return "model_version"
    if type_name == MODEL:
        return "model"
    if type_name == SPARK_APPLICATION:
        return "other"
    attributes = entity.get("attributes") or {}
    relations = entity.get("relationshipAttributes") or {}
    if any(k in attributes or k in relations for k in _PROCESS_HINTS):
        return "process"
    return "dataset" if type_name != SPARK_COLUMN_LINEAGE_TYPE else "other"


def classifications_of(entity: dict[str, Any]) -> list[ClassificationMark]:
    """The classifications ``entity`` carries, each with the entity it was attached to.

    A search header lists only names (``classificationNames``): their origin is unknown, so
    they are never taken as attached to the entity itself.
    """
    guid = str(entity.get("guid", ""))
    marks = []
    for item in entity.get("classifications") or []:
        if not isinstance(item, dict) or not item.get("typeName"):
            continue
        source = item.get("entityGuid") or guid
        marks.append(
            ClassificationMark(
                name=str(item["typeName"]),
                source_guid=str(source),
                propagated=str(source) != guid,
                attributes=dict(item.get("attributes") or {}),
            )
        )
    if not marks:
        for name in entity.get("classificationNames") or []:
            marks.append(ClassificationMark(str(name), None, True))
    return marks


def node_from_entity(entity: dict[str, Any]) -> Node:
    """The node of one entity (full, from an entity read, or a search header)."""
    type_name = str(entity.get("typeName", ""))
    attributes = dict(entity.get("attributes") or {})
    kind = kind_of(type_name, entity)
    node = Node(
        guid=str(entity.get("guid", "")),
        type_name=type_name,
        qualified_name=str(attributes.get("qualifiedName") or ""),
        name=str(attributes.get("name") or entity.get("displayText") or ""),
        kind=kind,
        status=str(entity.get("status") or "ACTIVE"),
        classifications=classifications_of(entity),
        attributes=attributes,
        business=_business(entity, attributes),
    )
    relations = entity.get("relationshipAttributes") or {}
    node.ref_types = ref_types(
        _reference(entity, "inputs"),
        _reference(entity, "outputs"),
        relations.get("outputFromProcesses") or attributes.get("outputFromProcesses"),
    )
    if kind == "process":
        node.inputs = live_refs(_reference(entity, "inputs"))
        node.outputs = live_refs(_reference(entity, "outputs"))
        if type_name in RUN_TYPES:
            node.run = run_facts(attributes)
            relations = entity.get("relationshipAttributes")
            links = (relations or {}).get("attestations") if relations is not None else None
            if links is None and isinstance(attributes.get("attestations"), list):
                links = attributes["attestations"]  # a search header asked for them
            if links is not None or relations is not None:
                node.run.attestations = [dict(r) for r in links or [] if isinstance(r, dict)]
        elif type_name == EVALUATION:
            node.evaluation = evaluation_facts(entity, attributes)
        elif type_name == VALIDATION:
            node.validation = validation_facts(attributes)
        else:
            node.step = step_facts(entity, attributes, node.business)
    elif kind == "dataset":
        node.producers = _producers(entity, attributes)
        node.dataset = dataset_facts(attributes)
        snapshot = live_refs(_reference(entity, "snapshotOf"))
        node.dataset.snapshot_of = snapshot[0] if snapshot else None
        relations = entity.get("relationshipAttributes") or {}
        node.dataset.versions = live_refs(relations.get("atlasmlDatasetVersions"))
        node.dataset.validation_guids = live_refs(relations.get("validations"))
    elif kind == "model_version":
        node.model = model_facts(entity, attributes, node.business)
        node.producers = _producers(entity, attributes)
    return node


def _business(entity: dict[str, Any], attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Business metadata by name: from an entity read, or a search header's
    ``name.attribute`` keys (asked for as attributes)."""
    found = {
        str(k): dict(v)
        for k, v in (entity.get("businessAttributes") or {}).items()
        if isinstance(v, dict)
    }
    for key in [k for k in attributes if k.startswith("atlasml_") and "." in k]:
        name, _, field_name = key.partition(".")
        value = attributes.pop(key)
        if value is not None:
            found.setdefault(name, {})[field_name] = value
    return found


def _producers(entity: dict[str, Any], attributes: dict[str, Any]) -> list[str] | None:
    """Who wrote a dataset: known from an entity read with its relationships, or a search
    header that asked for ``outputFromProcesses``; ``None`` when not read."""
    if "relationshipAttributes" in entity:
        return live_refs((entity.get("relationshipAttributes") or {}).get("outputFromProcesses"))
    if "outputFromProcesses" in attributes:
        return live_refs(attributes.get("outputFromProcesses"))
    return None


def dataset_facts(attributes: dict[str, Any]) -> DatasetFacts:
    facts = DatasetFacts(
        uri=_text(attributes.get("uri")) or _text(attributes.get("path")),
        format=_text(attributes.get("format")),
        version_pointer=_text(attributes.get("versionPointer")),
        version_kind=_text(attributes.get("versionKind")),
        manifest_root_hash=_text(attributes.get("manifestRootHash")),
        content_hash=_text(attributes.get("contentHash")),
        file_sha256=_text(attributes.get("fileSha256")),
        row_count=_int(attributes.get("rowCount")),
        schema_fingerprint=_text(attributes.get("schemaFingerprint")),
        verification_status=_text(attributes.get("verificationStatus")),
        verified_time=iso_time(attributes.get("verifiedTime")),
        captured_time=iso_time(attributes.get("capturedTime")),
        origin=_text(attributes.get("origin")),
        licence=_text(attributes.get("licence")),
    )
    facts.schema = _schema(attributes.get("schemaJson"))
    records = _json(attributes.get("fingerprints"))
    found = records.get("logical")
    logical: dict[str, Any] = found if isinstance(found, dict) else {}
    facts.column_hashes = _strings(logical.get("columns"))
    if facts.schema is None and isinstance(logical.get("schema"), list):
        facts.schema = [
            Column(str(pair[0]), str(pair[1]))
            for pair in logical["schema"]
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    return facts


def _json(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _schema(text: Any) -> list[Column] | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        fields = json.loads(text)
    except ValueError:
        return None
    if isinstance(fields, dict):
        fields = fields.get("fields")
    if not isinstance(fields, list):
        return None
    return [
        Column(str(f.get("name")), str(f.get("type")))
        for f in fields
        if isinstance(f, dict) and f.get("name") is not None
    ]


def step_facts(
    entity: dict[str, Any], attributes: dict[str, Any], business: dict[str, dict[str, Any]]
) -> StepFacts:
    """A step's facts; a Spark process's team and code come from its ``atlasml_provenance``."""
    provenance = business.get(PROVENANCE) or {}
    run = live_refs(_reference(entity, "run"))
    application = live_refs(_reference(entity, "application"))
    return StepFacts(
        step_kind=_text(attributes.get("stepKind")),
        reasoning=_text(attributes.get("reasoning")) or _text(attributes.get("description")),
        code_reference=_text(attributes.get("codeReference"))
        or _text(provenance.get("codeReference")),
        code_revision=_text(attributes.get("codeRevision"))
        or _text(provenance.get("codeRevision")),
        code_fingerprint=_text(attributes.get("codeFingerprint")),
        code_location=_text(attributes.get("codeLocation")),
        code_source=_text(attributes.get("codeSource")),
        parameters=_strings(attributes.get("parameters")),
        team=_text(attributes.get("team")) or _text(provenance.get("team")),
        owner=_text(attributes.get("owner")) or _text(provenance.get("owner")),
        start_time=iso_time(attributes.get("startTime")),
        end_time=iso_time(attributes.get("endTime")),
        run_guid=run[0] if run else None,
        application_guid=application[0] if application else None,
        blocked_classifications=sorted(
            str(c) for c in attributes.get("blockedClassifications") or []
        ),
        propagation_note=_text(attributes.get("propagationNote")),
        inferred=bool(attributes.get("inferred")),
        evidence=_text(attributes.get("evidence")),
    )


def run_facts(attributes: dict[str, Any]) -> RunFacts:
    dirty = attributes.get("codeDirty")
    return RunFacts(
        status=_text(attributes.get("status")),
        start_time=iso_time(attributes.get("startTime")),
        end_time=iso_time(attributes.get("endTime")),
        team=_text(attributes.get("team")),
        operator=_text(attributes.get("operator")),
        code_reference=_text(attributes.get("codeReference")),
        code_revision=_text(attributes.get("codeRevision")),
        code_dirty=bool(dirty) if dirty is not None else None,
        parameters=_strings(attributes.get("parameters")),
        metrics=_floats(attributes.get("metrics")),
        environment=_strings(attributes.get("environment")),
        framework=_text(attributes.get("framework")),
        framework_version=_text(attributes.get("frameworkVersion")),
        input_roles=_strings(attributes.get("inputRoles")),
    )


def model_facts(
    entity: dict[str, Any], attributes: dict[str, Any], business: dict[str, dict[str, Any]]
) -> ModelFacts:
    model = _reference(entity, "model") or {}
    stage = attributes.get("stage")
    return ModelFacts(
        model_guid=str(model["guid"]) if isinstance(model, dict) and model.get("guid") else None,
        model_name=_text(model.get("displayText")) if isinstance(model, dict) else None,
        artifact_sha256=_text(attributes.get("artifactSha256")),
        artifact_uri=_text(attributes.get("artifactUri")),
        artifact_locations=[str(u) for u in attributes.get("artifactLocations") or []],
        framework=_text(attributes.get("framework")),
        framework_version=_text(attributes.get("frameworkVersion")),
        version_number=_int(attributes.get("versionNumber")) or None,
        stage=_text(stage),
        registered_time=iso_time(attributes.get("registeredTime")),
        team=_text(attributes.get("team")),
        owner=_text(attributes.get("owner")),
        evaluation_guids=live_refs(_reference(entity, "evaluations")),
        deployment_guids=live_refs(_reference(entity, "deployments")),
        compliance=_compliance(business),
    )


def _compliance(business: dict[str, dict[str, Any]]) -> dict[str, Any]:
    facts = dict(business.get(COMPLIANCE) or {})
    if "approvalDate" in facts:
        facts["approvalDate"] = iso_time(facts["approvalDate"])
    return {k: v for k, v in facts.items() if v not in (None, "")}


def evaluation_facts(entity: dict[str, Any], attributes: dict[str, Any]) -> EvaluationFacts:
    refs = _ref_list(_reference(entity, "inputs"))
    data = list(dict.fromkeys(str(r["guid"]) for r in refs if r.get("typeName") != MODEL_VERSION))
    passed = attributes.get("passed")
    return EvaluationFacts(
        metrics=_floats(attributes.get("metrics")),
        passed=bool(passed) if passed is not None else None,
        criteria=_text(attributes.get("criteria")),
        evaluator=_text(attributes.get("evaluator")),
        evaluated_time=iso_time(attributes.get("evaluatedTime")),
        dataset_role=_text(attributes.get("datasetRole")),
        team=_text(attributes.get("team")),
        dataset_guids=data,
    )


def _ref_list(value: Any) -> list[dict[str, Any]]:
    refs = value if isinstance(value, list) else []
    return [
        r
        for r in refs
        if isinstance(r, dict)
        and r.get("guid")
        and r.get("entityStatus", "ACTIVE") == "ACTIVE"
        and r.get("relationshipStatus", "ACTIVE") == "ACTIVE"
    ]


def is_dataset_version(node: Node) -> bool:
    return node.type_name == DATASET_VERSION


def compliance_of(version: Node, model: Node | None) -> dict[str, Any]:
    """A model version's compliance facts: its own, over those set on its model."""
    merged = _compliance(model.business) if model is not None else {}
    if version.model is not None:
        merged.update(version.model.compliance)
    return merged


def validation_facts(attributes: dict[str, Any]) -> ValidationFacts:
    success = attributes.get("success")
    return ValidationFacts(
        suite=_text(attributes.get("suite")),
        success=bool(success) if success is not None else None,
        tool=_text(attributes.get("tool")),
        statistics=_floats(attributes.get("statistics")),
        failed_expectations=[str(e) for e in attributes.get("failedExpectations") or []],
        validated_time=iso_time(attributes.get("validatedTime")),
    )
