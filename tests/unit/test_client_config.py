"""Where settings come from, and in which order they win."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ml.config import LOCAL_DEV_CREDENTIALS, ConfigError, load_config

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("ATLAS_ML_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("ATLAS_CONF", raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def properties(tmp_path: Path) -> Path:
    return write(
        tmp_path / "atlas-application.properties",
        "# hook config\n"
        "atlas.rest.address=http://props-host:21000,http://props-standby:21000\n"
        "atlas.cluster.name=legacy\n"
        "atlas.metadata.namespace = \\\n    cm1\n",
    )


def toml(tmp_path: Path) -> Path:
    return write(
        tmp_path / "config.toml",
        '[atlas]\nurl = "http://file-host:21000"\nuser = "file-user"\n'
        'password = "file-pw"\nnamespace = "file-ns"\nbatch_size = 50\n',
    )


def test_defaults_point_at_the_local_dev_server_with_its_credentials():
    config = load_config(env={})
    assert config.url == "http://127.0.0.1:21000"
    assert (config.username, config.password) == LOCAL_DEV_CREDENTIALS
    assert config.namespace == "primary"
    assert config.verify_tls is True


def test_remote_server_gets_no_guessed_credentials():
    config = load_config(env={"ATLAS_URL": "https://atlas.example.com:21443"})
    assert config.username is None and config.password is None


def test_properties_file_gives_first_rest_address_and_namespace(tmp_path):
    config = load_config(env={}, properties_file=properties(tmp_path))
    assert config.url == "http://props-host:21000"
    assert config.namespace == "cm1"


def test_atlas_conf_directory_is_searched_like_the_hooks_do(tmp_path):
    properties(tmp_path)
    config = load_config(env={"ATLAS_CONF": str(tmp_path)})
    assert config.url == "http://props-host:21000"


def test_config_file_beats_properties(tmp_path):
    config = load_config(env={}, config_file=toml(tmp_path), properties_file=properties(tmp_path))
    assert (config.url, config.namespace, config.username) == (
        "http://file-host:21000",
        "file-ns",
        "file-user",
    )
    assert config.batch_size == 50


def test_environment_beats_config_file(tmp_path):
    env = {"ATLAS_URL": "http://env-host:21000", "ATLAS_USER": "env-user", "ATLAS_VERIFY_TLS": "no"}
    config = load_config(env=env, config_file=toml(tmp_path))
    assert (config.url, config.username, config.password) == (
        "http://env-host:21000",
        "env-user",
        "file-pw",
    )
    assert config.verify is False
    assert config.sources["url"] == "environment"


def test_explicit_arguments_beat_everything(tmp_path):
    env = {"ATLAS_URL": "http://env-host:21000", "ATLAS_USER": "env-user"}
    config = load_config(
        url="http://arg-host:21000/",
        username="arg-user",
        env=env,
        config_file=toml(tmp_path),
        properties_file=properties(tmp_path),
    )
    assert (config.url, config.username) == ("http://arg-host:21000", "arg-user")


def test_netrc_supplies_credentials_for_the_host(tmp_path, monkeypatch):
    netrc = write(tmp_path / "netrc", "machine atlas.example.com login n-user password n-pw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    config = load_config(env={"ATLAS_URL": "https://atlas.example.com:21443"})
    assert (config.username, config.password) == ("n-user", "n-pw")


def test_token_switches_to_bearer_auth():
    config = load_config(env={"ATLAS_TOKEN": "t"})
    assert config.auth == "bearer"


def test_ca_bundle_is_used_for_verification():
    config = load_config(env={"ATLAS_CA_BUNDLE": "/etc/ssl/corp.pem"})
    assert config.verify == "/etc/ssl/corp.pem"


def test_secrets_are_not_in_repr():
    config = load_config(username="u", password="pw-123", token="tok-456", env={})
    assert "pw-123" not in repr(config) and "tok-456" not in repr(config)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[atlas]\nurl = ", "not valid TOML"),
        ('[atlas]\nurll = "http://x"\n', "unknown key"),
        ('[atlas]\nurl = "atlas:21000"\n', "must start with http"),
        ('[atlas]\nretries = "many"\n', "retries must be an integer"),
    ],
)
def test_bad_config_file_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(env={}, config_file=write(tmp_path / "bad.toml", text))


def test_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(env={}, config_file=tmp_path / "nope.toml")


def test_kerberos_switched_on_in_atlas_application_properties_selects_kerberos(tmp_path):
    props = write(
        tmp_path / "atlas-application.properties",
        "atlas.rest.address=https://atlas.example.com:21443\n"
        "atlas.authentication.method.kerberos=true\n",
    )
    assert load_config(properties_file=props, env={}).auth == "kerberos"


def test_named_credentials_win_over_kerberos_from_the_clusters_properties(tmp_path):
    props = write(
        tmp_path / "atlas-application.properties",
        "atlas.rest.address=https://atlas.example.com:21443\n"
        "atlas.authentication.method.kerberos=true\n",
    )
    env = {"ATLAS_USER": "etl", "ATLAS_PASSWORD": "pw"}
    assert load_config(properties_file=props, env=env).auth == "basic"
    assert load_config(properties_file=props, env={"ATLAS_TOKEN": "t"}).auth == "bearer"
    assert load_config(properties_file=props, env={**env, "ATLAS_AUTH": "kerberos"}).auth == (
        "kerberos"
    )


def test_atlas_auth_env_picks_the_method():
    assert load_config(url="http://atlas:21000", env={"ATLAS_AUTH": "kerberos"}).auth == "kerberos"
    with pytest.raises(ConfigError, match="unknown auth method 'ntlm'"):
        load_config(env={"ATLAS_AUTH": "ntlm"})
