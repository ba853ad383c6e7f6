"""Real network peers for tests: free ports, an SMTP sink that keeps what it receives, an IMAP server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink(Sink):
    """An SMTP server handler that keeps every envelope, or answers ``refuse`` (e.g. "451 later")."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refuse: str | None = None
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.refuse:
            return self.refuse
        self.received.append(envelope)
        return "250 OK"


@contextmanager
def smtp_sink(*, smtputf8: bool = False) -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1 for the duration of the block;
    ``smtputf8``: it offers SMTPUTF8 (RFC 6531: non-ASCII addresses)."""
    handler = SmtpSink()
    handler.port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=handler.port, enable_SMTPUTF8=smtputf8
    )
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@dataclass(frozen=True)
class ImapServer:
    """A running IMAP server and the one mailbox account on it."""

    host: str
    port: int
    username: str
    password: str


def _wait_for_port(port: int, deadline_seconds: float) -> None:
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _dovecot_config(root: Path, port: int) -> str:
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = helpline-test-{root.name}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    """A real IMAP server (Dovecot, run as root with a throw-away configuration) on a free port.

    Skips when Dovecot is not installed or the tests are not root, except under CI (CI=true), which
    installs it (.ci/run) and must not pass without it.
    """
    dovecot = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if dovecot is None or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Dovecot (apt-get install dovecot-imapd) and root for IMAP tests")
        pytest.skip("IMAP tests need Dovecot (apt-get install dovecot-imapd) and root")
    root = Path(tempfile.mkdtemp(prefix="helpline-imap-"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    shutil.chown(root / "mail", "nobody", "nogroup")
    server = ImapServer("127.0.0.1", free_port(), "helpdesk", "mailbox-secret")
    (root / "passwd").write_text(f"{server.username}:{{PLAIN}}{server.password}\n")
    config = root / "dovecot.conf"
    config.write_text(_dovecot_config(root, server.port))
    subprocess.run([dovecot, "-c", str(config)], check=True)  # noqa: S603 - fixed arguments
    pid_file = root / "run" / "master.pid"
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    master = int(pid_file.read_text().split()[0])
    try:
        _wait_for_port(server.port, 10)
        yield server
    finally:
        os.kill(master, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(master, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)
