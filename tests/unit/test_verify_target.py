"""What ``verify`` says when TARGET names an entity it cannot start from."""

from __future__ import annotations

from typing import Any

import pytest

from atlas_ml.verify import target as target_module
from atlas_ml.verify.target import TargetNotFound, resolve_target

pytestmark = pytest.mark.unit


def test_a_path_entity_points_at_lineage_downstream_for_its_dataset_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path_entity = {
        "guid": "g-1",
        "typeName": "hdfs_path",
        "attributes": {"qualifiedName": "file:/data/features@primary"},
    }

    def resolve(client: Any, text: str, types: Any) -> dict[str, Any]:
        return path_entity

    monkeypatch.setattr(target_module, "resolve_entity", resolve)
    with pytest.raises(TargetNotFound) as caught:
        resolve_target(object(), "/data/features")  # type: ignore[arg-type]
    message = str(caught.value)
    assert "is a hdfs_path (file:/data/features@primary)" in message
    assert "'atlas-ml lineage --downstream /data/features' shows the dataset versions" in message
