"""The case rule for path names and the setting it follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ml.config import ConfigError, load_config
from atlas_ml.naming.case import case_rule, has_legacy_twin, legacy_name

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ATLAS_ML_CONFIG", raising=False)


def test_hdfs_paths_keep_their_case_unless_convert_to_lowercase_and_object_stores_always_do():
    assert case_rule("hdfs_path", False).apply("HDFS://NN:8020/Data/X") == "hdfs://nn:8020/Data/X"
    assert case_rule("hdfs_path", True).apply("HDFS://NN:8020/Data/X") == "hdfs://nn:8020/data/x"
    s3 = case_rule("aws_s3_v2_directory", True)
    assert s3.apply("s3a://Bucket/Data") == "s3a://bucket/Data"
    assert "whatever" in s3.reason


def test_the_legacy_name_is_the_path_lower_cased_and_the_namespace_as_it_was():
    assert legacy_name("file:/Data/X@Prod", "Prod") == "file:/data/x@Prod"
    assert has_legacy_twin("file:/Data/X@prod", "prod")
    assert not has_legacy_twin("file:/data/x@prod", "prod")


def test_the_setting_comes_from_atlas_application_properties_as_atlas_hooks_read_it(
    tmp_path: Path,
) -> None:
    props = tmp_path / "atlas-application.properties"
    props.write_text("atlas.hook.hive.hdfs_path.convert_to_lowercase = TRUE\n")

    config = load_config(env={}, properties_file=props)

    assert config.lowercase_paths is True
    assert config.sources["lowercase_paths"] == "atlas-application.properties"
    assert load_config(env={}).lowercase_paths is False


def test_the_config_file_wins_over_the_properties_and_a_bad_value_names_its_file(
    tmp_path: Path,
) -> None:
    props = tmp_path / "atlas-application.properties"
    props.write_text("atlas.hook.hive.hdfs_path.convert_to_lowercase=true\n")
    toml = tmp_path / "config.toml"
    toml.write_text("[atlas]\nlowercase_paths = false\ninfer_copies = false\n")

    config = load_config(env={}, config_file=toml, properties_file=props)

    assert (config.lowercase_paths, config.infer_copies) == (False, False)
    props.write_text("atlas.hook.hive.hdfs_path.convert_to_lowercase=sometimes\n")
    with pytest.raises(ConfigError, match=r"atlas-application\.properties: lowercase_paths must"):
        load_config(env={}, properties_file=props)
