"""Which case a path's qualifiedName keeps, and the name an earlier atlas-ml gave it.

HDFS, S3 and POSIX paths are case sensitive: ``/data/Up/x.csv`` and ``/data/up/x.csv`` are two
files, and a classification set on one must not reach a model trained on the other. Atlas's
own Hive hook keeps a path's case unless ``atlas.hook.hive.hdfs_path.convert_to_lowercase`` is
true (default false; ``HiveMetaStoreBridge``/``AtlasPathExtractorUtil``), and its S3 (v2), ADLS
Gen2 and GCS path entities always keep it. atlas-ml follows the same rules:

- ``hdfs_path`` (HDFS, viewfs, local files): the path keeps its case, unless the setting is
  true (``lowercase_paths`` in :class:`atlas_ml.config.AtlasConfig`, read from
  ``atlas-application.properties`` or the atlas-ml config file): then the whole name is
  lower-cased, as the Hive hook names it;
- object stores (``aws_s3_v2_directory``, ``adls_gen2_directory``, ...): the path keeps its
  case whatever the setting;
- scheme and authority (``HDFS://NameNode:8020``, a bucket) are case-insensitive and always
  lower-cased, so one location has one name however it was typed.

atlas-ml before this rule lower-cased every path (:func:`legacy_name`); the read side falls
back to that name so entities recorded then are still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from atlas_ml.typedefs.names import HDFS_PATH_TYPE

CASE_RULE_TYPES = frozenset({HDFS_PATH_TYPE})
"""Path types whose case follows ``atlas.hook.hive.hdfs_path.convert_to_lowercase``."""

SETTING = "atlas.hook.hive.hdfs_path.convert_to_lowercase"


@dataclass(frozen=True)
class CaseRule:
    """How the path part of a qualifiedName is cased, and why."""

    lower_case: bool
    reason: str

    def apply(self, location: str) -> str:
        """``location`` (``scheme://authority/path`` or ``file:/path``) as this rule names it."""
        if self.lower_case:
            return location.lower()
        return lower_scheme_and_authority(location)


def case_rule(type_name: str, lowercase_paths: bool) -> CaseRule:
    """The rule for a path entity of ``type_name`` under the ``lowercase_paths`` setting."""
    if type_name not in CASE_RULE_TYPES:
        return CaseRule(
            False,
            f"{type_name}: the path keeps its case (as Atlas's own hooks name object-store "
            f"paths, whatever {SETTING} says)",
        )
    if lowercase_paths:
        return CaseRule(True, f"{type_name}: lower-cased, because {SETTING}=true")
    return CaseRule(False, f"{type_name}: the path keeps its case ({SETTING} is false)")


def lower_scheme_and_authority(location: str) -> str:
    """``HDFS://NN:8020/Data/X`` -> ``hdfs://nn:8020/Data/X``: only the path keeps its case."""
    parts = urlsplit(location)
    if not parts.scheme:
        return location
    after_scheme = location[len(parts.scheme) + 1 :]
    head = len(parts.scheme) + 1 + (2 + len(parts.netloc) if after_scheme.startswith("//") else 0)
    return location[:head].lower() + location[head:]


def legacy_name(qualified_name: str, namespace: str) -> str:
    """The qualifiedName atlas-ml before the case rule gave the same path: every character of
    the path lower-cased, the ``@namespace`` as it was."""
    suffix = f"@{namespace}"
    path = qualified_name.removesuffix(suffix)
    return path.lower() + (suffix if qualified_name.endswith(suffix) else "")


def has_legacy_twin(qualified_name: str, namespace: str) -> bool:
    """Whether an earlier atlas-ml named this path differently (its path has upper case)."""
    return legacy_name(qualified_name, namespace) != qualified_name
