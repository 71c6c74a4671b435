"""Finding what ``atlas-ml lineage`` was asked about, against a fake Atlas."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from atlas_ml.client import AtlasBadRequest, AtlasClient, AtlasNotFound
from atlas_ml.config import AtlasConfig
from atlas_ml.lineage import TargetNotFound, TypesNotInstalled, resolve_target

pytestmark = pytest.mark.unit

PROJECT_TYPES = (
    "atlasml_model_version",
    "atlasml_dataset_version",
    "atlasml_training_run",
    "atlasml_model",
)


class FakeEntities:
    """Atlas's unique-attribute lookup over ``stored`` entities of the ``defined`` types."""

    def __init__(self, defined: set[str], stored: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.defined = defined
        self.stored = stored

    def get_by_unique_attribute(self, type_name: str, qualified_name: str) -> dict[str, Any]:
        if type_name not in self.defined:
            raise AtlasBadRequest(
                f"Type ENTITY with name {type_name} does not exist",
                status=400,
                error_code="ATLAS-400-00-014",
            )
        if (type_name, qualified_name) not in self.stored:
            raise AtlasNotFound(
                f"Instance {type_name} with unique attribute {{qualifiedName={qualified_name}}} "
                "does not exist",
                status=404,
                error_code="ATLAS-404-00-009",
            )
        return {"entity": self.stored[(type_name, qualified_name)]}


class NoNameMatches:
    """Atlas's basic search when no entity has the name asked for."""

    def basic(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []


class FakeClient:
    def __init__(
        self,
        defined: set[str],
        stored: dict[tuple[str, str], dict[str, Any]] | None = None,
        namespace: str = "prod",
    ) -> None:
        self.config = AtlasConfig(url="http://atlas.test:21000", namespace=namespace)
        self.entities = FakeEntities(defined, stored or {})
        self.search = NoNameMatches()


def client(defined: set[str], *stored: tuple[str, str]) -> AtlasClient:
    entities = {key: {"guid": f"guid-{key[1]}", "typeName": key[0]} for key in stored}
    return cast(AtlasClient, FakeClient(defined, entities))


STOCK = {"hdfs_path", "spark_process"}
ALL = STOCK | set(PROJECT_TYPES)


@pytest.mark.parametrize(
    "target",
    [
        "/data/Raw/titanic.csv",
        "file:/data/Raw/titanic.csv",
        "file:///data/Raw/titanic.csv",
    ],
)
def test_a_local_path_or_file_uri_finds_its_hdfs_path_in_the_configured_namespace(
    target: str,
) -> None:
    atlas = client(ALL, ("hdfs_path", "file:/data/raw/titanic.csv@prod"))

    assert resolve_target(atlas, target)["guid"] == "guid-file:/data/raw/titanic.csv@prod"


def test_a_relative_path_is_named_by_its_absolute_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data.csv").write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    name = f"file:{tmp_path.resolve()}/data.csv@prod".lower()

    assert resolve_target(client(ALL, ("hdfs_path", name)), "data.csv")["guid"] == f"guid-{name}"


def test_an_hdfs_uri_finds_its_hdfs_path() -> None:
    atlas = client(ALL, ("hdfs_path", "hdfs://nn:8020/warehouse/sales@prod"))

    entity = resolve_target(atlas, "hdfs://nn:8020/warehouse/sales/")

    assert entity["guid"] == "guid-hdfs://nn:8020/warehouse/sales@prod"


def test_an_unmatched_path_names_the_location_it_looked_for() -> None:
    with pytest.raises(TargetNotFound) as caught:
        resolve_target(client(ALL), "/data/missing.csv")

    message = str(caught.value)
    assert "hdfs_path 'file:/data/missing.csv@prod'" in message
    assert "qualifiedName '/data/missing.csv'" in message
    assert "http://atlas.test:21000" in message


def test_types_atlas_does_not_define_are_skipped() -> None:
    atlas = client(STOCK, ("spark_process", "etl.job@prod"))

    assert resolve_target(atlas, "etl.job@prod")["typeName"] == "spark_process"


def test_no_candidate_type_defined_says_to_install_the_types() -> None:
    with pytest.raises(TypesNotInstalled) as caught:
        resolve_target(client(set()), "titanic-survival#b42e7c4dc44faf5c@prod", PROJECT_TYPES)

    assert str(caught.value) == (
        "the atlas-ml types are not installed in Atlas: run atlas-ml typedefs install"
    )


def test_missing_project_types_are_named_when_nothing_else_matches() -> None:
    with pytest.raises(TargetNotFound) as caught:
        resolve_target(client(STOCK), "titanic-survival#b42e7c4dc44faf5c@prod")

    message = str(caught.value)
    assert message.startswith("no hdfs_path / spark_process with qualifiedName")
    assert message.endswith("run atlas-ml typedefs install")


def test_a_large_unrecorded_folder_is_not_read_to_look_for_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.lineage import resolve

    data = tmp_path / "warehouse"
    data.mkdir()
    (data / "part-0.parquet").write_bytes(b"x" * 2048)
    read: list[Path] = []
    monkeypatch.setattr(resolve, "ARTIFACT_DIGEST_MAX_BYTES", 1024)
    monkeypatch.setattr(
        "atlas_ml.lineage.resolve.artifact_digest", lambda path: read.append(path) or "0" * 64
    )

    with pytest.raises(TargetNotFound):
        resolve_target(client(ALL), str(data))
    assert read == []

    monkeypatch.setattr(resolve, "ARTIFACT_DIGEST_MAX_BYTES", 4096)
    with pytest.raises(TargetNotFound):
        resolve_target(client(ALL), str(data))
    assert read == [data.resolve()]


class SameNameEverywhere:
    """Atlas's basic search when many dataset versions share a name (same bytes, many paths)."""

    def __init__(self, name: str, count: int) -> None:
        self.name = name
        self.count = count

    def basic(self, type_name: str, *args: Any, limit: int | None = None, **kwargs: Any) -> Any:
        if type_name != "atlasml_dataset_version":
            return []
        headers = [
            {"guid": f"g-{i}", "attributes": {"name": self.name, "qualifiedName": f"qn-{i}"}}
            for i in range(self.count)
        ]
        return headers[:limit]


@pytest.mark.parametrize(("count", "said"), [(3, "the name of 3 entities"), (9, "more than 5")])
def test_an_ambiguous_name_does_not_undercount_the_entities_that_share_it(
    count: int, said: str
) -> None:
    fake = FakeClient(ALL)
    fake.search = SameNameEverywhere("titanic.csv@411730e9cddb", count)  # type: ignore[assignment]
    with pytest.raises(TargetNotFound) as caught:
        resolve_target(cast(AtlasClient, fake), "titanic.csv@411730e9cddb")
    message = str(caught.value)
    assert said in message
    assert message.count("qn-") == min(count, 5)
