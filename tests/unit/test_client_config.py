"""Where settings come from, and in which order they win."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest

from atlas_ml.client.errors import AtlasUnavailable
from atlas_ml.client.transport import Transport
from atlas_ml.config import LOCAL_DEV_CREDENTIALS, AtlasConfig, ConfigError, load_config

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.delenv("ATLAS_ML_CONFIG", raising=False)
    monkeypatch.delenv("ATLAS_CONF", raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def use_netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A private ~/.netrc with ``text``, found through $NETRC."""
    netrc = write(tmp_path / "netrc", text)
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))


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
    use_netrc(tmp_path, monkeypatch, "machine atlas.example.com login n-user password n-pw\n")
    config = load_config(env={"ATLAS_URL": "https://atlas.example.com:21443"})
    assert (config.username, config.password) == ("n-user", "n-pw")


@pytest.mark.parametrize(
    "text",
    [
        "s3cret-Netrc machine 127.0.0.1 login n-user password n-pw\n",
        "machine 127.0.0.1 login n-user passwd s3cret-Netrc\n",
    ],
)
def test_malformed_netrc_is_skipped_with_a_warning_naming_the_file_not_its_content(
    tmp_path, monkeypatch, caplog, text
):
    use_netrc(tmp_path, monkeypatch, text)
    with caplog.at_level(logging.WARNING, logger="atlas_ml.config"):
        config = load_config(env={})
    assert (config.username, config.password) == LOCAL_DEV_CREDENTIALS
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert str(tmp_path / "netrc") in record.getMessage() and "line 1" in record.getMessage()
    assert "s3cret" not in caplog.text and "n-pw" not in caplog.text
    assert "\n" not in record.getMessage()


def test_token_switches_to_bearer_auth():
    config = load_config(env={"ATLAS_TOKEN": "t"})
    assert config.auth == "bearer"


def test_ca_bundle_is_used_for_verification(tmp_path):
    bundle = write(tmp_path / "corp.pem", "")
    config = load_config(env={"ATLAS_CA_BUNDLE": str(bundle)})
    assert config.verify == str(bundle)


@pytest.mark.parametrize(
    ("layer", "origin"),
    [("environment", "ATLAS_CA_BUNDLE"), ("config file", "ca_bundle in the atlas-ml config file")],
)
def test_missing_ca_bundle_is_a_config_error_naming_the_setting_and_the_path(
    tmp_path, layer, origin
):
    missing = tmp_path / "nope.pem"
    if layer == "environment":
        settings: dict[str, object] = {"env": {"ATLAS_CA_BUNDLE": str(missing)}}
    else:
        settings = {
            "env": {},
            "config_file": write(tmp_path / "c.toml", f'[atlas]\nca_bundle = "{missing}"\n'),
        }
    with pytest.raises(ConfigError) as caught:
        load_config(**settings)  # type: ignore[arg-type]
    assert f"CA bundle {missing} (from {origin}) does not exist" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("url = 21000", "url must be text in quotes, got 21000"),
        ("user = 7", "user must be text in quotes, got 7"),
        ("ca_bundle = ['a.pem']", "ca_bundle must be text in quotes"),
        ("verify_tls = 0", "verify_tls must be true or false, got 0"),
        ("retries = true", "retries must be an integer, got True"),
        ("retries = 2.5", "retries must be an integer, got 2.5"),
        ("read_timeout = [1]", "read_timeout must be a number"),
        ("sources = {}", "unknown key(s) in [atlas]: sources"),
    ],
)
def test_config_file_value_of_the_wrong_type_is_a_config_error_naming_the_key(
    tmp_path, line, message
):
    path = write(tmp_path / "c.toml", f"[atlas]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(env={}, config_file=path)
    assert message in str(caught.value)


def test_config_file_password_of_the_wrong_type_is_refused_without_showing_it(tmp_path):
    path = write(tmp_path / "c.toml", '[atlas]\nuser = "u"\npassword = 987654\n')
    with pytest.raises(ConfigError, match="password must be text in quotes") as caught:
        load_config(env={}, config_file=path)
    assert "987654" not in str(caught.value)


def test_config_built_directly_with_a_url_that_is_not_text_is_a_config_error():
    with pytest.raises(
        ConfigError, match=r"Atlas URL \(from the url given to AtlasConfig\) must be text, got 2"
    ):
        AtlasConfig(url=21000)  # type: ignore[arg-type]


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


@pytest.mark.parametrize(
    "text", ['retries = "many"', 'read_timeout = "slow"', 'verify_tls = "maybe"']
)
def test_a_config_file_value_of_the_wrong_kind_names_the_file(tmp_path, text):
    path = write(tmp_path / "atlas-ml.toml", f"[atlas]\n{text}\n")
    with pytest.raises(ConfigError, match=f"^config file {re.escape(str(path))}: "):
        load_config(env={}, config_file=path)


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


@pytest.mark.parametrize(
    ("kwargs", "env", "origin"),
    [
        ({"password": "wrong"}, {}, "--password"),
        ({}, {"ATLAS_PASSWORD": "wrong"}, "ATLAS_PASSWORD"),
    ],
)
def test_password_without_user_is_an_error_not_swapped_for_the_dev_default(kwargs, env, origin):
    with pytest.raises(ConfigError, match=rf"password was given \(from {origin}\) but no user"):
        load_config(**kwargs, env=env)


def test_password_without_user_takes_the_user_of_a_complete_netrc_entry(tmp_path, monkeypatch):
    use_netrc(tmp_path, monkeypatch, "machine 127.0.0.1 login n-user password n-pw\n")
    config = load_config(env={"ATLAS_PASSWORD": "given-pw"})
    assert (config.username, config.password) == ("n-user", "given-pw")


def test_netrc_login_without_password_does_not_supply_a_user_for_a_given_password(
    tmp_path, monkeypatch
):
    use_netrc(tmp_path, monkeypatch, "machine 127.0.0.1 login n-user\n")
    with pytest.raises(ConfigError, match="but no user"):
        load_config(password="given-pw", env={})


def test_url_userinfo_becomes_credentials_and_appears_in_no_url_repr_or_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = load_config(url=f"http://admin:s3cret%40pw@127.0.0.1:{port}", retries=0, env={})
    assert (config.username, config.password) == ("admin", "s3cret@pw")
    assert config.url == f"http://127.0.0.1:{port}"
    with pytest.raises(AtlasUnavailable) as caught:
        Transport(config).request("GET", "/admin/version")
    for shown in (repr(config), config.url, str(caught.value)):
        assert "s3cret" not in shown


def test_url_userinfo_yields_to_a_user_named_by_a_higher_layer(tmp_path):
    file = write(tmp_path / "url.toml", '[atlas]\nurl = "http://u:url-pw@atlas.example.com"\n')
    config = load_config(username="arg-user", config_file=file, env={})
    assert config.url == "http://atlas.example.com"
    assert (config.username, config.password) == ("arg-user", None)


def test_url_user_replaces_a_lower_layers_user_together_with_its_password(tmp_path):
    config = load_config(url="http://bob@atlas.example.com", config_file=toml(tmp_path), env={})
    assert (config.username, config.password) == ("bob", None)
    config = load_config(url="http://bob@atlas.example.com", env={"ATLAS_PASSWORD": "pw"})
    assert (config.username, config.password) == ("bob", "pw")


def test_config_built_directly_takes_credentials_out_of_its_url():
    config = AtlasConfig(url="https://u:p%3Aw@atlas.example.com:21443")
    assert (config.url, config.username, config.password) == (
        "https://atlas.example.com:21443",
        "u",
        "p:w",
    )


def test_url_without_scheme_error_masks_its_password():
    with pytest.raises(ConfigError, match="must start with http") as caught:
        load_config(url="admin:s3cretpw@atlas.example.com:21000", env={})
    assert "s3cretpw" not in str(caught.value)


def test_config_file_named_by_atlas_ml_config_must_exist(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match="ATLAS_ML_CONFIG") as caught:
        load_config(env={"ATLAS_ML_CONFIG": str(missing)})
    assert str(missing) in str(caught.value)


def test_config_file_named_by_atlas_ml_config_must_be_a_file(tmp_path):
    with pytest.raises(ConfigError, match=r"ATLAS_ML_CONFIG\) is not a file"):
        load_config(env={"ATLAS_ML_CONFIG": str(tmp_path)})


def test_config_file_that_is_not_utf8_is_a_config_error(tmp_path):
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[atlas]\nuser = "j\u00fcrgen"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        load_config(env={}, config_file=latin1)
