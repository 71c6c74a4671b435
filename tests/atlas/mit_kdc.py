"""A throwaway MIT Kerberos realm (krb5kdc from Debian's krb5-kdc) for the SPNEGO tests.

Everything lives in one folder: the KDC's database, krb5.conf, kdc.conf and keytabs. The KDC
listens on a free loopback port over TCP, and the config pins the enctypes that both MIT
krb5 and Java 11's GSS implementation accept.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from side_server import free_port

REALM = "ATLAS.TEST"
ENCTYPES = "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"
_PROGRAMS = ("krb5kdc", "kdb5_util", "kadmin.local")


def _program(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail(
            f"{name} is not installed: the Kerberos tests need an MIT KDC "
            "(make test installs krb5-kdc, krb5-admin-server and libkrb5-dev)"
        )
    return found


class MitKdc:
    """A running krb5kdc for realm ``ATLAS.TEST`` rooted in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.krb5_conf = root / "krb5.conf"
        self.kdc_conf = root / "kdc.conf"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KDC_PROFILE": str(self.kdc_conf),
        }

    def start(self) -> None:
        programs = {name: _program(name) for name in _PROGRAMS}
        self._write_config()
        subprocess.run(
            [programs["kdb5_util"], "create", "-s", "-r", REALM, "-P", "kdc-master-key"],
            env=self.env,
            check=True,
            capture_output=True,
        )
        self._process = subprocess.Popen(
            [programs["krb5kdc"], "-n", "-r", REALM],
            env=self.env,
            stdout=(self.root / "krb5kdc.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self._process.poll() is not None:
                break
            time.sleep(0.2)
        output = (self.root / "krb5kdc.out").read_text(errors="replace")
        pytest.fail(f"krb5kdc did not start listening on port {self.port}: {output}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def add_principal(self, name: str) -> Path:
        """Create ``name@ATLAS.TEST`` with a random key once; return a keytab holding it."""
        keytab = self.root / f"{name.replace('/', '_')}.keytab"
        if keytab.exists():
            return keytab
        errors = []
        for query in (f"addprinc -randkey {name}", f"ktadd -k {keytab} {name}"):
            done = subprocess.run(
                [_program("kadmin.local"), "-r", REALM, "-q", query],
                env=self.env,
                capture_output=True,
                text=True,
            )
            errors.append(done.stderr)
        # kadmin.local -q exits 0 even when a query fails, so the keytab is the proof.
        if not keytab.exists():
            pytest.fail(f"kadmin.local could not create {name}: {''.join(errors)}")
        return keytab

    def _write_config(self) -> None:
        self.krb5_conf.write_text(
            f"""[libdefaults]
  default_realm = {REALM}
  dns_lookup_realm = false
  dns_lookup_kdc = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  default_tkt_enctypes = {ENCTYPES}
  default_tgs_enctypes = {ENCTYPES}
  permitted_enctypes = {ENCTYPES}

[realms]
  {REALM} = {{
    kdc = 127.0.0.1:{self.port}
  }}

[domain_realm]
  localhost = {REALM}
"""
        )
        supported = " ".join(f"{enctype}:normal" for enctype in ENCTYPES.split())
        self.kdc_conf.write_text(
            f"""[kdcdefaults]
  kdc_ports = {self.port}
  kdc_tcp_ports = {self.port}

[realms]
  {REALM} = {{
    database_name = {self.root / "principal"}
    key_stash_file = {self.root / "stash"}
    acl_file = {self.root / "kadm5.acl"}
    supported_enctypes = {supported}
    max_life = 1h
  }}

[logging]
  kdc = FILE:{self.root / "kdc.log"}
"""
        )
