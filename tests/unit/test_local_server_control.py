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


@pytest.fixture(autouse=True)
def no_wait_for_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    """A taken port fails at once here (start waits a little for a just-killed server)."""
    monkeypatch.setattr("atlas_ml.server.local.PORT_RELEASE_SECONDS", 0.0)


def test_port_overrides_come_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_ML_SERVER_PORT", "31000")
    monkeypatch.setenv("ATLAS_ML_SERVER_KAFKA_PORT", "39027")
    monkeypatch.delenv("ATLAS_ML_SERVER_ZK_PORT", raising=False)
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
        ("com.sleepycat.je.EnvironmentLockedException: lock held", "the data is kept"),
        ("SolrServerException: No live SolrServers available", "--component solr"),
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


def _old_layout_home(home: Path) -> LocalAtlas:
    """A home as an earlier atlas-ml left it: a graph, its index in a random folder, a snapshot."""
    graph = home / "data" / "berkeley"
    graph.mkdir(parents=True)
    (graph / "00000000.jdb").write_bytes(b"graph")
    (home / "data" / "index" / "1f046226").mkdir(parents=True)
    (home / "snapshot").mkdir()
    (home / "snapshot" / "atlas-export.zip").write_bytes(b"export zip")
    return LocalAtlas(ServerSettings(http_port=1, kafka_port=2, zookeeper_port=3), home=home)


def test_start_refuses_a_graph_without_its_index_and_names_fresh_and_restore(
    tmp_path: Path,
) -> None:
    server = _old_layout_home(tmp_path)
    with pytest.raises(ServerError, match="Start with --fresh") as refused:
        server.start(quiet=True)
    assert f"atlas-ml server restore {tmp_path / 'snapshot' / 'atlas-export.zip'}" in str(
        refused.value
    )
    assert (tmp_path / "data" / "berkeley" / "00000000.jdb").exists(), "refusing deletes nothing"


def test_fresh_start_wipes_graph_index_audit_trail_and_kafka(tmp_path: Path) -> None:
    server = _old_layout_home(tmp_path)
    for part in ("hbase", "solr", "kafka"):
        (tmp_path / "data" / part).mkdir()
    server._prepare(fresh=True)
    assert list((tmp_path / "data").iterdir()) == []
    assert (tmp_path / "snapshot" / "atlas-export.zip").exists(), "a backup is not data"


def test_a_pid_file_left_behind_marks_the_start_as_a_recovery(tmp_path: Path) -> None:
    server = LocalAtlas(ServerSettings(http_port=1, kafka_port=2, zookeeper_port=3), home=tmp_path)
    (tmp_path / "data" / "solr").mkdir(parents=True)
    server._prepare(fresh=False)
    assert not server.recovered
    (tmp_path / "hbase.pid").write_text("999999999")  # the crashed run's HBase
    server._prepare(fresh=False)
    assert server.recovered
    assert not (tmp_path / "hbase.pid").exists()


def test_companions_take_the_five_ports_after_kafka_and_atlas_is_told_them(
    tmp_path: Path,
) -> None:
    settings = ServerSettings(zookeeper_port=29126, kafka_port=29127)
    assert list(settings.companion_ports.labelled().values()) == [
        29128,
        29129,
        29130,
        29131,
        29132,
    ]
    server = LocalAtlas(settings, home=tmp_path)
    server._write_conf()
    written = read_properties(tmp_path / "conf" / "atlas-application.properties")
    assert written["atlas.graph.index.search.solr.embedded"] == "false"
    assert written["atlas.graph.index.search.solr.zookeeper-url"] == "127.0.0.1:29132"
    assert written["atlas.audit.hbase.zookeeper.property.clientPort"] == "29128"
    assert written["atlas.EntityAuditRepository.impl"].endswith("SequencedHBaseAuditRepository")
    hbase = server.companions[0]
    hbase.write_conf()
    site = (tmp_path / "conf" / "hbase" / "hbase-site.xml").read_text()
    assert f"<value>{(tmp_path / 'data' / 'hbase').as_uri()}</value>" in site
    assert "<name>hbase.regionserver.port</name><value>29130</value>" in site
    zoo = (tmp_path / "conf" / "hbase" / "zoo.cfg").read_text()
    assert "clientPort=29128" in zoo and "clientPortAddress=127.0.0.1" in zoo


def test_start_refuses_a_taken_companion_port_and_says_how_to_move(tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        # Solr's port is ZooKeeper's + 5.
        settings = ServerSettings(http_port=1, kafka_port=2, zookeeper_port=taken - 5)
        server = LocalAtlas(settings, home=tmp_path)
        with pytest.raises(ServerError, match=f"Port {taken} \\(Solr\\).*--zookeeper-port"):
            server.start(quiet=True)


def test_stop_never_signals_a_companion_pid_it_did_not_start(tmp_path: Path) -> None:
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        server = LocalAtlas(ServerSettings(), home=tmp_path)
        for name in ("hbase", "solr"):
            (tmp_path / f"{name}.pid").write_text(str(bystander.pid))
        assert server.stop() is False
        assert bystander.poll() is None, "an unrelated process with a recorded pid was killed"
        assert not (tmp_path / "hbase.pid").exists()
    finally:
        bystander.kill()
        bystander.wait()


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


def test_building_without_a_jdk_names_the_missing_javac_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlas_ml.server.extensions import build_extensions

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it, javac least of all
    with pytest.raises(ServerBuildError, match=r"javac is missing.*JDK 11 or newer"):
        build_extensions(tmp_path)
