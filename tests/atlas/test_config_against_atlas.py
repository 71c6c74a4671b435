"""Settings as load_config resolves them, against the real Atlas: who a 401 names, netrc."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from atlas_ml.client import AtlasAuthError, AtlasClient
from atlas_ml.config import LOCAL_DEV_CREDENTIALS, load_config
from atlas_ml.server.endpoint import AtlasEndpoint

pytestmark = pytest.mark.atlas


@pytest.fixture
def no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment whose only atlas-ml config file is empty (the caller's is not read)."""
    empty = tmp_path / "config.toml"
    empty.write_text("[atlas]\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    return {"ATLAS_ML_CONFIG": str(empty)}


def test_wrong_password_names_the_user_and_where_it_came_from_not_the_password(
    atlas_server: AtlasEndpoint, no_config_file: dict[str, str]
) -> None:
    env = {**no_config_file, "ATLAS_USER": atlas_server.username, "ATLAS_PASSWORD": "wrong-7731"}
    client = AtlasClient(load_config(url=atlas_server.url, env=env))
    with client, pytest.raises(AtlasAuthError) as caught:
        client.typedefs.get("DataSet")
    message = str(caught.value)
    assert f"Atlas refused user {atlas_server.username!r} (from ATLAS_USER)" in message
    assert message.count("HTTP 401") == 1
    assert "wrong-7731" not in message + repr(caught.value)


def test_malformed_netrc_is_skipped_with_a_warning_and_the_local_default_still_works(
    atlas_server: AtlasEndpoint,
    no_config_file: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if (atlas_server.username, atlas_server.password) != LOCAL_DEV_CREDENTIALS:
        pytest.skip("this Atlas does not take the local dev server's default credentials")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login admin passwd admin\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with caplog.at_level(logging.WARNING, logger="atlas_ml.config"):
        config = load_config(url=atlas_server.url, env=no_config_file)
    assert config.is_local, "the default applies to a loopback URL only"
    with AtlasClient(config) as client:
        assert client.typedefs.get("DataSet")["name"] == "DataSet"
    assert f"ignoring {netrc}: cannot parse line 1" in caplog.text
