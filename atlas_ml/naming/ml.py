"""qualifiedNames of the project's ML types.

Dataset versions are named by their fingerprint (``version_fingerprint``), so the same data
read twice is one entity (in-memory data a recorded step produced also by its derivation,
see ``derivation_key``); transforms by their step, the exact versions they connected and the
run that ran them (a step outside any run: an identical re-run adds nothing); training,
pipeline runs and evaluations by their run id, so every run is kept; model versions by
artifact hash.
"""

from __future__ import annotations

import hashlib


def _short(digest: str, length: int = 16) -> str:
    return digest.replace("sha256:", "")[:length]


def version_fingerprint(content_hash: str | None, manifest_root_hash: str | None) -> str:
    """The hash a dataset version is named by: its file bytes when they were recorded.

    A version with a file manifest is named by the manifest's root hash, so other bytes are
    always another version and a version's recorded manifest never changes: a rewrite with
    the same rows (reordered, CRLF, re-quoted, compacted) cannot replace the bytes an earlier
    model trained on. The logical content hash, blind to row order and encoding, names only
    what has no manifest (in-memory data, a source too large to list); it stays an attribute
    that explains a byte change.
    """
    fingerprint = manifest_root_hash or content_hash
    if not fingerprint:
        raise ValueError("a dataset version needs a manifest root hash or a content hash")
    return fingerprint


def dataset_version_name(
    dataset: str, fingerprint: str, namespace: str, derivation: str | None = None
) -> str:
    """``<dataset>#<fingerprint prefix>[.<derivation prefix>]@<namespace>``.

    ``dataset`` is a location as written (``version_location``) or a name; ``fingerprint``
    comes from ``version_fingerprint``; ``derivation`` is the ``derivation_key`` of in-memory
    data that a recorded step produced.
    """
    suffix = f".{derivation[:12]}" if derivation else ""
    return f"{dataset}#{_short(fingerprint)}{suffix}@{namespace}"


def derivation_key(step: str, input_versions: list[str]) -> str:
    """A digest of the step and the exact dataset versions it read.

    In-memory data has no location, so content alone would merge equal frames made from
    different sources (two byte-identical copies of a CSV, cleaned alike) into one dataset
    version, and each run's lineage would show the other runs' sources. Adding how the data
    was made keeps every run's lineage to what it read; a re-run on the same inputs gets the
    same key and reuses the version.
    """
    wiring = "\n".join([step, *sorted(input_versions)])
    return hashlib.sha256(wiring.encode()).hexdigest()


def transform_name(
    pipeline: str,
    step: str,
    inputs: list[str],
    outputs: list[str],
    namespace: str,
    run_id: str | None = None,
) -> str:
    """A step of a pipeline, identified by the dataset versions it read and wrote, and by the
    run that ran it when there is one (a step belongs to one run: another run of the same
    step is a step of its own, so it never re-points what an earlier run recorded)."""
    run = [f"run:{run_id}"] if run_id else []
    wiring = hashlib.sha256("\n".join([*run, *sorted(inputs), "->", *sorted(outputs)]).encode())
    return f"{pipeline}.{step}#{wiring.hexdigest()[:16]}@{namespace}"


COPY_PIPELINE = "copy"
"""The pipeline of the COPY steps atlas-ml infers between byte-identical data
(``copy.<file>#<wiring>@<namespace>``, see :func:`transform_name`)."""


def training_run_name(pipeline: str, run_id: str, namespace: str) -> str:
    return f"{pipeline}.run.{run_id}@{namespace}"


def pipeline_run_name(pipeline: str, run_id: str, namespace: str) -> str:
    """A data-preparation (ETL) run, named by its run id like a training run."""
    return f"{pipeline}.run.{run_id}@{namespace}"


def evaluation_name(pipeline: str, run_id: str, namespace: str) -> str:
    """One evaluation of a model version on one dataset version."""
    return f"{pipeline}.evaluation.{run_id}@{namespace}"


def model_name(model: str, namespace: str) -> str:
    return f"{model}@{namespace}"


def model_version_name(model: str, artifact_sha256: str, namespace: str) -> str:
    return f"{model}#{_short(artifact_sha256)}@{namespace}"
