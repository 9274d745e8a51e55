"""A throwaway PostgreSQL server for the tests and the benchmark: initdb into a temporary
folder, pg_ctl start on 127.0.0.1 at a free port, stop and delete at the end.

The server binaries are looked for on PATH and in /usr/lib/postgresql/*/bin (Debian's
postgresql package). initdb and postgres refuse to run as root, so as root the server
runs as the user `postgres` when it exists, else as `nobody` (setpriv).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "bot"  # the server's superuser; trust authentication on 127.0.0.1 only


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _as_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix (and uid, gid) that runs the server unprivileged."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        prefix = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                  "--clear-groups"]  # fmt: skip
        return prefix, entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server: `url` is the maintenance database's, the superuser `bot`."""

    def __init__(self, folder: Path):
        self.bin = folder
        self.dir = Path(tempfile.mkdtemp(prefix="pg-test-"))
        self.port = free_port()
        self.prefix, uid, gid = _as_user()
        if uid is not None:
            os.chown(self.dir, uid, gid)
        self.data = self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        proc = subprocess.run([*self.prefix, *args], capture_output=True, text=True,
                              cwd=self.dir, timeout=120)  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")

    def start(self) -> Server:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        # fsync off: a test server's data need not survive a power cut, and it is faster
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")  # fmt: skip
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")  # fmt: skip
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def start() -> Server | None:
    """A running throwaway server, or None when no PostgreSQL binaries are installed."""
    folder = binaries()
    return Server(folder).start() if folder else None
