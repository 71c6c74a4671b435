"""The OpenLineage 2-0-2 RunEvent structure as a JSON Schema, for validating emitted events.

No package reachable from this project ships the spec's JSON (openlineage-python has generated
classes only, the openlineage-java and openlineage-spark jars none), so this is the spec's
required structure written out: RunEvent, Run, Job, datasets, facets' ``_producer`` and
``_schemaURL``, and the schema and column lineage (1-2-0) facets we emit.
"""

from __future__ import annotations

from typing import Any

_FACET: dict[str, Any] = {
    "type": "object",
    "required": ["_producer", "_schemaURL"],
    "properties": {"_producer": {"type": "string"}, "_schemaURL": {"type": "string"}},
}
_FACETS: dict[str, Any] = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Facet"}}
_INPUT_FIELD: dict[str, Any] = {
    "type": "object",
    "required": ["namespace", "name", "field"],
    "properties": {
        "namespace": {"type": "string"},
        "name": {"type": "string"},
        "field": {"type": "string"},
        "transformations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": {"enum": ["DIRECT", "INDIRECT"]},
                    "subtype": {"type": "string"},
                    "description": {"type": "string"},
                    "masking": {"type": "boolean"},
                },
            },
        },
    },
}

RUN_EVENT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["eventTime", "producer", "schemaURL", "run", "job"],
    "properties": {
        "eventType": {"enum": ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]},
        "eventTime": {"type": "string", "format": "date-time"},
        "producer": {"type": "string", "format": "uri"},
        "schemaURL": {"type": "string", "format": "uri"},
        "run": {
            "type": "object",
            "required": ["runId"],
            "properties": {
                "runId": {"type": "string", "format": "uuid"},
                "facets": _FACETS,
            },
        },
        "job": {
            "type": "object",
            "required": ["namespace", "name"],
            "properties": {
                "namespace": {"type": "string"},
                "name": {"type": "string"},
                "facets": _FACETS,
            },
        },
        "inputs": {"type": "array", "items": {"$ref": "#/$defs/Dataset"}},
        "outputs": {"type": "array", "items": {"$ref": "#/$defs/Dataset"}},
    },
    "$defs": {
        "Facet": _FACET,
        "Dataset": {
            "type": "object",
            "required": ["namespace", "name"],
            "properties": {
                "namespace": {"type": "string"},
                "name": {"type": "string"},
                "facets": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/Facet"},
                    "properties": {
                        "schema": {
                            "allOf": [{"$ref": "#/$defs/Facet"}],
                            "required": ["fields"],
                            "properties": {
                                "fields": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["name"],
                                        "properties": {
                                            "name": {"type": "string"},
                                            "type": {"type": "string"},
                                        },
                                    },
                                }
                            },
                        },
                        "columnLineage": {
                            "allOf": [{"$ref": "#/$defs/Facet"}],
                            "required": ["fields"],
                            "properties": {
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {
                                        "type": "object",
                                        "required": ["inputFields"],
                                        "properties": {
                                            "inputFields": {"type": "array", "items": _INPUT_FIELD}
                                        },
                                    },
                                },
                                "dataset": {"type": "array", "items": _INPUT_FIELD},
                            },
                        },
                    },
                },
                "inputFacets": _FACETS,
                "outputFacets": _FACETS,
            },
        },
    },
}
