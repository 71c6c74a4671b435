"""The JVM processes of the local server, found and stopped by pid file and command line.

Each process (Atlas, HBase, Solr) is started in its own session and its pid written to a file
in the server's home. A pid only counts while ``/proc/<pid>/cmdline`` still carries the
marker this home put there, so a recycled pid that now belongs to someone else is never
signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def spawn(command: list[str], cwd: Path, output: Path, pid_file: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session (a Ctrl-C at the terminal does not reach it),
    stdout and stderr to ``output``, and record its pid in ``pid_file``."""
    with output.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    return process


def owned_pid(pid_file: Path, marker: str) -> int | None:
    """The pid in ``pid_file`` if that process is alive and its command line has ``marker``."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return None
    if marker not in cmdline.split("\0") or is_gone(pid):
        return None
    return pid


def is_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (exited, or a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state == "Z"


def terminate(pid: int, grace: float) -> None:
    """SIGTERM the process group of ``pid``, then SIGKILL it after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            break
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            # Reap it if it is our child, so that no zombie is left behind.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if is_gone(pid):
                return
            time.sleep(0.25)
        if is_gone(pid):
            return


def rss_bytes(pid: int) -> int | None:
    """Resident memory of ``pid`` (``None`` when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
