"""The logical fingerprint computed by atlas-ml's JVM class, when the session has the jar.

``io.atlasml.spark.LogicalFingerprint`` ships in atlas-ml's Spark jar (the one
``atlas-ml spark conf`` puts on ``spark.jars``). It reads each row once in the tasks and keeps
wrapping 64-bit sums, about twice as fast as the SQL built-ins of ``logical_spark``, which
cannot sum a 64-bit hash without splitting it into limbs. It computes the same values: the
seeds and null constants come from ``atlas_ml.fingerprints.logical``, and the hash is Spark's
own ``XXH64``.

The class is usable only when py4j can see it, which is the case for a jar on ``spark.jars``
(loaded by the driver and shipped to every executor). A jar loaded by ``atlas_ml.spark.attach``
into a running driver is not visible to executors, a Spark Connect session has no py4j at all,
and an older jar may lack the class: in all these cases ``fingerprinter`` gives ``None`` and the
caller uses the built-ins.
"""

from __future__ import annotations

from typing import Any

from atlas_ml.fingerprints.logical import (
    ALGORITHM,
    MASK64,
    ROW_SEED_HI_EFFECTIVE,
    ROW_SEED_LO_EFFECTIVE,
    HashSums,
    as_signed64,
    cell_seed,
    null_hash,
)

JVM_CLASS = "io.atlasml.spark.LogicalFingerprint"


def fingerprinter(df: Any) -> Any | None:
    """The JVM class for ``df``'s session, or None when that session cannot use it."""
    try:
        from py4j.java_gateway import JavaClass

        jvm = df.sparkSession._jvm
        query = df._jdf  # a Spark Connect DataFrame has none
    except (AttributeError, ImportError):
        return None
    if jvm is None or query is None:
        return None
    target: Any = jvm
    for part in JVM_CLASS.split("."):
        target = getattr(target, part)
    if not isinstance(target, JavaClass):  # py4j gives a JavaPackage for an unknown class
        return None
    try:
        if str(target.ALGORITHM) != ALGORITHM:
            return None
    except Exception:  # py4j reports a missing static field as a generic error
        return None
    return target


def jvm_sums(fingerprinter_class: Any, df: Any, names: list[str], types: list[str]) -> HashSums:
    """Row count, row-hash sum and column sums of ``df``, computed by the JVM class in one job."""
    gateway = df.sparkSession.sparkContext._gateway
    # A DataFrame plans once: after cache() or unpersist() its own plan still reads (or
    # rebuilds) the old cache. A projection of it is planned now, and the optimiser drops it.
    query = df.select("*")._jdf.queryExecution()
    words = fingerprinter_class.sums(
        query,
        _long_array(gateway, [cell_seed(kind) for kind in types]),
        _long_array(gateway, [null_hash(kind) for kind in types]),
        as_signed64(ROW_SEED_HI_EFFECTIVE),
        as_signed64(ROW_SEED_LO_EFFECTIVE),
    )
    unsigned = [int(word) & MASK64 for word in words]
    sums = HashSums(names=names, types=types, row_count=unsigned[0])
    sums.row_sum = (unsigned[1] << 64) | unsigned[2]
    sums.column_sums = unsigned[3:]
    return sums


def _long_array(gateway: Any, values: list[int]) -> Any:
    array = gateway.new_array(gateway.jvm.long, len(values))
    for index, value in enumerate(values):
        array[index] = as_signed64(value)
    return array
