"""Fuzzing what users and servers hand atlas-ml besides events: typedef files and patches,
what a server answers about its types, config files and variables, and the names of data.

Each must end in a value or in the error of its kind (``TypedefError``, ``ConfigError``), with
a message naming what was wrong, never in another exception.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fuzzing import JSON, mutations, names_a_field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas_ml.config import load_config
from atlas_ml.errors import ConfigError, TypedefError
from atlas_ml.naming import (
    location_label,
    normalise_location,
    openlineage_dataset,
    partition_root,
    physical_dataset,
)
from atlas_ml.paths import shipped_dir
from atlas_ml.typedefs import TypeSet, check_typeset, load_typeset, plan_install
from atlas_ml.typedefs.patches import apply_patch

pytestmark = [pytest.mark.unit, pytest.mark.fuzz]

BASE = json.loads((shipped_dir("typedefs") / "0100-atlasml_base.json").read_text())
SHIPPED = load_typeset()
ACTIONS = (
    *("ADD_ATTRIBUTE", "UPDATE_TYPEDEF_OPTIONS", "UPDATE_ATTRIBUTE_METADATA"),
    *("ADD_SUPER_TYPES", "ADD_ENUM_ELEMENTS", "DROP"),
)


@given(mutations(BASE))
def test_a_mutated_typedef_file_loads_or_is_refused_naming_the_field(
    mutated: tuple[Any, tuple[Any, ...]],
) -> None:
    body, path = mutated
    try:
        types = TypeSet.from_types_def(body, "fuzz.json")
    except TypedefError as exc:
        assert "fuzz.json" in str(exc) or names_a_field(str(exc), path), (str(exc), path)
        return
    for problem in check_typeset(types, SHIPPED):
        assert isinstance(problem, TypedefError) and str(problem)


@given(JSON)
def test_any_json_is_a_typedef_file_or_a_typedef_error(body: Any) -> None:
    try:
        TypeSet.from_types_def(body, "fuzz.json")
    except TypedefError as exc:
        assert "fuzz.json" in str(exc)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "id": JSON,
            "action": st.sampled_from(ACTIONS) | JSON,
            "typeName": st.sampled_from(sorted(SHIPPED.defs)) | JSON,
            "applyToVersion": st.just("1.0") | st.just("1.1") | JSON,
            "updateToVersion": JSON,
            "attributeDefs": JSON,
            "typeDefOptions": JSON,
            "attributeName": JSON,
            "params": JSON,
            "superTypes": JSON,
            "elementDefs": JSON,
        },
    )
)
def test_any_patch_applies_or_is_refused_with_a_typedef_error(patch: dict[str, Any]) -> None:
    types = load_typeset(apply_patches=False)
    try:
        apply_patch(types, patch, "fuzz-patch.json")
    except TypedefError as exc:
        assert "fuzz-patch.json" in str(exc)


@given(mutations(BASE))
def test_a_server_answering_with_mangled_types_is_diffed_or_refused(
    mutated: tuple[Any, tuple[Any, ...]],
) -> None:
    body, _ = mutated
    try:
        server = TypeSet.from_types_def(body, "server")
    except TypedefError:
        return
    plan_install(SHIPPED, server)


TOML_VALUES = (
    st.text(max_size=30).map(json.dumps)
    | st.integers().map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
    | st.booleans().map(lambda b: str(b).lower())
    | st.lists(st.integers(), max_size=3).map(str)
)
KEYS = st.sampled_from(
    (
        *("url", "user", "password", "token", "auth", "ca_bundle", "verify_tls", "namespace"),
        *("connect_timeout", "read_timeout", "retries", "batch_size", "upsert_workers"),
        *("end_of_job_seconds", "unknown_key"),
    )
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.dictionaries(KEYS, TOML_VALUES, max_size=6).map(
        lambda table: "[atlas]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())
    )
    | st.text(max_size=200)
)
def test_any_config_file_loads_or_is_refused_with_a_config_error(text: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = load_config(config_file=path, env={})
    except ConfigError as exc:
        # names the file, or the setting as it is written in the file
        assert str(path) in str(exc) or "in the atlas-ml config file" in str(exc), str(exc)
        return
    assert config.url


@given(
    st.dictionaries(
        st.sampled_from(
            (
                *("ATLAS_URL", "ATLAS_USER", "ATLAS_PASSWORD", "ATLAS_TOKEN", "ATLAS_AUTH"),
                *("ATLAS_VERIFY_TLS", "ATLAS_NAMESPACE", "ATLAS_CA_BUNDLE"),
            )
        ),
        st.text(max_size=40).filter(lambda value: "\x00" not in value),
        max_size=5,
    )
)
def test_any_environment_loads_or_is_refused_with_a_config_error(env: dict[str, str]) -> None:
    try:
        load_config(env=env, config_file="/nonexistent/atlas-ml-fuzz.toml")
    except ConfigError as exc:
        assert any(name in str(exc) for name in env) or "config" in str(exc), str(exc)


LOCATIONS = st.text(max_size=60) | st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["hdfs", "s3a", "s3", "gs", "abfss", "viewfs", "file", "ofs", "weird"]),
    st.text(max_size=15),
    st.text(max_size=30),
)


@given(LOCATIONS.filter(lambda text: "\x00" not in text))
def test_any_location_gets_a_path_entity_named_in_the_namespace_or_a_value_error(
    location: str,
) -> None:
    try:
        entity = physical_dataset(location, "primary")
    except ValueError as exc:
        assert str(exc)
        return
    assert entity.qualified_name.endswith("@primary")
    assert entity.type_name
    normalise_location(location)
    location_label(location)
    partition_root(location)


@given(st.text(max_size=40), st.text(max_size=60))
def test_any_openlineage_dataset_name_maps_to_an_entity_or_a_value_error(
    namespace: str, name: str
) -> None:
    try:
        entity = openlineage_dataset(namespace, name, "primary")
    except ValueError as exc:
        assert str(exc)
        return
    assert entity.qualified_name.endswith("@primary")
