"""Recompute a recorded table version by time travel instead of reading the table as it is now.

A Delta table that got one more commit, an Iceberg table with a newer snapshot, or a DVC file
that was re-added still hold the version a model trained on: Delta ``version=``, Iceberg
``snapshot_id`` and the DVC cache (by md5) read it back, so verify checks the bytes the model
saw and does not call a table that moved on CHANGED. A version that can no longer be read
(vacuumed, expired, garbage-collected) is UNRECOVERABLE, with the reason and the retention
setting to change.
"""

from __future__ import annotations

from atlas_ml.fingerprints.datasets import describe_path
from atlas_ml.fingerprints.hadoop import is_local_location
from atlas_ml.fingerprints.manifest import local_path
from atlas_ml.fingerprints.pointers import PointerError
from atlas_ml.fingerprints.tables import VersionGone, table_version
from atlas_ml.verify.recompute import Recomputed, recompute, refresh_digests
from atlas_ml.verify.recorded import RecordedVersion

# atlasml_version_kind values -> fingerprints.tables kinds
TIME_TRAVEL_KINDS = {"DELTA": "delta", "ICEBERG": "iceberg", "DVC": "dvc"}
_LABELS = {"delta": "Delta version", "iceberg": "Iceberg snapshot", "dvc": "DVC object"}


def recompute_recorded(recorded: RecordedVersion, *, rehash: bool = False) -> Recomputed:
    """The fingerprints of the version Atlas recorded: by time travel for a table version,
    else of the data at its location now (:func:`~atlas_ml.verify.recompute.recompute`)."""
    uri = recorded.uri or ""
    kind = TIME_TRAVEL_KINDS.get(str(recorded.version_kind or "").upper())
    if kind is None or not recorded.version_pointer or not is_local_location(uri):
        return recompute(uri, rehash=rehash)
    try:
        path = local_path(uri)
    except PointerError as exc:
        return Recomputed(None, error=str(exc))
    if not path.exists():
        return Recomputed(None, error=f"{uri} no longer exists")
    version = recorded.version_pointer
    label = f"{_LABELS[kind]} {version}"
    try:
        table = table_version(path, kind, version)
        if rehash:
            refresh_digests(path)
        record = describe_path(path, name=recorded.name, version=version)
    except VersionGone as exc:
        return Recomputed(None, error=str(exc))
    except PointerError as exc:
        return Recomputed(None, error=f"{label} of {uri} cannot be read back: {exc}")
    except Exception as exc:  # rows that no longer parse: the bytes alone still compare
        try:
            record = describe_path(path, name=recorded.name, logical=False, version=version)
        except (PointerError, OSError) as again:
            return Recomputed(None, error=f"{label} of {uri} cannot be read back: {again}")
        return Recomputed(
            record, logical_error=f"{type(exc).__name__}: {exc}", notes=_notes(table, label)
        )
    return Recomputed(record, notes=_notes(table, label))


def _notes(table: object, label: str) -> tuple[str, ...]:
    current = getattr(table, "current", None)
    reader = getattr(table, "reader", "")
    if current is None:
        return (f"read {label} through {reader}",)
    return (
        f"the data has moved on to {current}; read the recorded {label} back by time travel "
        f"through {reader}",
    )
