"""Local-server control that needs no running Atlas: settings, models lookup, pid safety."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas_ml.config import read_properties
from atlas_ml.server.build import ServerBuildError, find_models
from atlas_ml.server.diagnose import likely_cause
from atlas_ml.server.kerberos import KerberosSettings, KerberosSetupError
from atlas_ml.server.local import LocalAtlas, ServerError, ServerSettings

pytestmark = pytest.mark.unit


def test_port_overrides_come_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_ML_SERVER_PORT", "31000")
    monkeypatch.setenv("ATLAS_ML_SERVER_KAFKA_PORT", "39027")
    settings = ServerSettings.from_env()
    assert settings.http_port == 31000
    assert settings.kafka_port == 39027
    assert settings.zookeeper_port == 29026


def test_a_non_numeric_port_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_ML_SERVER_PORT", "twenty-one")
    with pytest.raises(ServerError, match="ATLAS_ML_SERVER_PORT must be a port number"):
        ServerSettings.from_env()


def test_explicit_models_folder_without_models_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ServerBuildError, match="holds no Atlas type models"):
        find_models(tmp_path)


def test_shared_models_are_found_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATLAS_ML_MODELS", raising=False)
    models = find_models()
    assert models is not None and (models / "0000-Area0" / "0010-base_model.json").is_file()


@pytest.mark.parametrize(
    ("log_line", "advice"),
    [
        ("java.lang.NoSuchFieldException: modifiers", "needs Java 11"),
        ("Caused by: java.net.BindException: Address already in use", "port Atlas needs"),
        ("com.sleepycat.je.EnvironmentLockedException: lock held", "--fresh"),
        ("java.lang.OutOfMemoryError: Java heap space", "--heap"),
    ],
)
def test_failed_start_logs_map_to_their_fix(tmp_path: Path, log_line: str, advice: str) -> None:
    log = tmp_path / "application.log"
    log.write_text(f"INFO starting\n{log_line}\n\tat some.Frame\n")
    cause = likely_cause(log)
    assert cause is not None and advice in cause


def test_stop_never_signals_a_process_it_did_not_start(tmp_path: Path) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        server = LocalAtlas(ServerSettings(), home=tmp_path)
        server.pid_file.write_text(str(bystander.pid))
        assert server.pid() is None
        assert server.stop() is False
        assert bystander.poll() is None, "an unrelated process with the recorded pid was killed"
        assert not server.pid_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_start_refuses_a_port_that_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        server = LocalAtlas(ServerSettings(http_port=taken), home=tmp_path)
        with pytest.raises(ServerError, match=f"Port {taken} .* already in use"):
            server.start(quiet=True)


def test_start_refuses_data_it_cannot_reopen_unless_fresh(tmp_path: Path) -> None:
    graph = tmp_path / "data" / "berkeley"
    graph.mkdir(parents=True)
    (graph / "00000000.jdb").write_bytes(b"graph")
    server = LocalAtlas(ServerSettings(http_port=1, kafka_port=2, zookeeper_port=3), home=tmp_path)
    with pytest.raises(ServerError, match="Start with --fresh"):
        server.start(quiet=True)
    assert (graph / "00000000.jdb").exists(), "refusing must not delete anything"


def _home_with_data_and_snapshot(home: Path) -> LocalAtlas:
    graph = home / "data" / "berkeley"
    graph.mkdir(parents=True)
    (graph / "00000000.jdb").write_bytes(b"graph")
    server = LocalAtlas(ServerSettings(http_port=1, kafka_port=2, zookeeper_port=3), home=home)
    server.snapshot_file.parent.mkdir(parents=True)
    server.snapshot_file.write_bytes(b"export zip")
    return server


def test_a_snapshot_saved_at_stop_makes_start_restore_instead_of_refusing(tmp_path: Path) -> None:
    server = _home_with_data_and_snapshot(tmp_path)
    server._prepare(fresh=False)
    assert server._restore_pending
    assert not (tmp_path / "data" / "berkeley").exists(), "the unreadable graph starts empty"
    assert server.snapshot_file.read_bytes() == b"export zip", "kept until it is imported"


def test_fresh_start_sets_a_saved_snapshot_aside_and_restores_nothing(tmp_path: Path) -> None:
    server = _home_with_data_and_snapshot(tmp_path)
    server._prepare(fresh=True)
    assert not server._restore_pending
    assert not server.snapshot_file.exists()
    assert server.previous_snapshot_file.read_bytes() == b"export zip"


def test_kerberos_needs_principal_and_keytab_together(tmp_path: Path) -> None:
    assert KerberosSettings.resolve(None, None, env={}) is None
    with pytest.raises(KerberosSetupError, match="--kerberos-keytab"):
        KerberosSettings.resolve("HTTP/atlas@EXAMPLE.COM", None, env={})


def test_kerberos_settings_refuse_a_non_http_principal_and_missing_files(tmp_path: Path) -> None:
    keytab = tmp_path / "http.keytab"
    keytab.write_bytes(b"\x05\x02")
    conf = tmp_path / "krb5.conf"
    conf.write_text("[libdefaults]\n")
    with pytest.raises(KerberosSetupError, match="not an HTTP service principal"):
        KerberosSettings.resolve("atlas/host@EXAMPLE.COM", keytab, conf, env={})
    with pytest.raises(KerberosSetupError, match=r"keytab .*missing\.keytab does not exist"):
        KerberosSettings.resolve("HTTP/host@EXAMPLE.COM", tmp_path / "missing.keytab", conf, env={})
    settings = KerberosSettings.resolve(
        None,
        None,
        env={
            "ATLAS_ML_SERVER_KERBEROS_PRINCIPAL": "HTTP/host@EXAMPLE.COM",
            "ATLAS_ML_SERVER_KERBEROS_KEYTAB": str(keytab),
            "KRB5_CONFIG": str(conf),
        },
    )
    assert settings is not None and settings.krb5_conf == conf


def test_kerberos_settings_reach_the_server_conf_and_jvm(tmp_path: Path) -> None:
    keytab = tmp_path / "http.keytab"
    keytab.write_bytes(b"\x05\x02")
    conf = tmp_path / "krb5.conf"
    conf.write_text("[libdefaults]\n")
    spnego = KerberosSettings("HTTP/localhost@EXAMPLE.COM", keytab, conf)
    server = LocalAtlas(ServerSettings(kerberos=spnego), home=tmp_path / "home")
    server._write_conf()
    written = read_properties(tmp_path / "home" / "conf" / "atlas-application.properties")
    assert written["atlas.authentication.method.kerberos"] == "true"
    assert written["atlas.authentication.method.kerberos.principal"] == spnego.principal
    assert written["atlas.authentication.method.kerberos.keytab"] == str(keytab)
    assert written["atlas.authentication.method.file"] == "true"  # Basic keeps working
    assert f"-Djava.security.krb5.conf={conf}" in server._command("java")

    plain = LocalAtlas(ServerSettings(), home=tmp_path / "plain")
    plain._write_conf()
    written = read_properties(tmp_path / "plain" / "conf" / "atlas-application.properties")
    assert written["atlas.authentication.method.kerberos"] == "false"
    assert not any("krb5" in option for option in plain._command("java"))


def test_start_on_another_port_than_the_running_server_is_refused_at_once(tmp_path: Path) -> None:
    running = LocalAtlas(ServerSettings(http_port=21000), home=tmp_path)
    running._write_conf()
    # A process that looks like this home's server (its command line names the home).
    stand_in = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", f"-Datlas.home={tmp_path}"]
    )
    try:
        running.pid_file.write_text(str(stand_in.pid))
        # Until the child has exec'd, /proc shows the parent's command line.
        deadline = time.monotonic() + 10
        while not running.is_running() and time.monotonic() < deadline:
            time.sleep(0.01)
        other_port = LocalAtlas(ServerSettings(http_port=21001), home=tmp_path)
        with pytest.raises(ServerError, match="already running on port 21000, not 21001"):
            other_port.start(timeout=1)
    finally:
        stand_in.kill()
        stand_in.wait()


def test_a_failed_build_leaves_nothing_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.server.build import build

    cache = tmp_path / "cache"
    monkeypatch.setenv("ATLAS_ML_CACHE", str(cache))
    models = tmp_path / "models"
    (models / "0000-Area0").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_mvn = bin_dir / "mvn"  # Maven as it fails for a release Central does not have
    fake_mvn.write_text(
        "#!/bin/sh\necho '[ERROR] Could not find artifact org.apache.atlas:atlas-webapp:war:2.2.0'"
        "\nexit 1\n"
    )
    fake_mvn.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(ServerBuildError, match="not on Maven Central"):
        build("2.2.0", models=models)
    assert sorted(p.name for p in (cache / "atlas").iterdir()) == []
