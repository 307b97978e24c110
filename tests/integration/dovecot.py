"""A real Dovecot IMAP server for the tests: own config, loopback ports, temp mail store."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

USER = "onboarding"
NO_MOVE_USER = "nomove"  # served without MOVE (UIDPLUS still offered)
BARE_USER = "bare"  # served with neither MOVE nor UIDPLUS
SECOND_USER = "second"  # another mailbox for tests serving two at once
USERS = (USER, NO_MOVE_USER, BARE_USER, SECOND_USER)
# A per-user capability list cannot hold spaces in a passwd-file, so the reduced
# servers are Dovecot's `local` filters on other loopback addresses.
HOSTS = {NO_MOVE_USER: "127.0.0.2", BARE_USER: "127.0.0.3"}
_BASIC = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE"
PASSWORD = "test-password-not-secret"
MAIL_UID = 65534  # Dovecot refuses uid 0 for mail users

CONFIG = """
instance_name = {name}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
{ssl_dh}
disable_plaintext_auth = no
# Dovecot 2.3 checks an XOAUTH2 bearer token against the passdb like a password, so
# the test password doubles as the one valid access token.
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
mailbox_list_index = no
passdb {{
  driver = passwd-file
  args = {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
  default_fields = uid={uid} gid={uid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1, 127.0.0.2, 127.0.0.3
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No growing delay after the tests' deliberate login failures: an auth process
  # that cannot reach this socket applies no penalty.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
local 127.0.0.2 {{
  protocol imap {{
    imap_capability = {basic} UIDPLUS
  }}
}}
local 127.0.0.3 {{
  protocol imap {{
    imap_capability = {basic}
  }}
}}
"""


def _signal_group(group: int, signum: int) -> bool:
    """Signal a process group; False when none of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )


@dataclass
class Dovecot:
    root: Path
    port: int
    tls_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its imap processes share its process group
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dovecot exited: {self.process.stderr.read().decode()}{self.log()}"
                )  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening:\n" + self.log())

    def stop(self) -> None:
        """Stop the server and every session it serves, as a real restart or crash does.

        SIGTERM to the master alone leaves logged-in imap processes running (clients
        would not even notice a restart), so the whole process group is signalled.
        """
        if self.process is None:
            return
        group = self.process.pid
        _signal_group(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        deadline = time.monotonic() + 5
        while _signal_group(group, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        _signal_group(group, signal.SIGKILL)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @staticmethod
    def host(user: str = USER) -> str:
        """Where `user`'s test server listens (the address picks its capabilities)."""
        return HOSTS.get(user, "127.0.0.1")

    def client(self, user: str = USER) -> IMAPClient:
        client = IMAPClient(self.host(user), port=self.port, ssl=False, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", user: str = USER) -> None:
        client = self.client(user)
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def deliver(self, raw: bytes, user: str = USER) -> None:
        """Put a mail straight into `user`'s INBOX maildir, as a delivery agent would
        (works while the server is down)."""
        inbox = self.root / "mail" / user
        for sub in ("tmp", "new", "cur"):
            (inbox / sub).mkdir(parents=True, exist_ok=True)
            os.chown(inbox / sub, MAIL_UID, MAIL_UID)
        name = f"{time.time_ns()}.test.localhost"
        (inbox / "tmp" / name).write_bytes(raw)
        os.chown(inbox / "tmp" / name, MAIL_UID, MAIL_UID)
        os.rename(inbox / "tmp" / name, inbox / "new" / name)

    def uids(self, folder: str, user: str = USER) -> list[int]:
        client = self.client(user)
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return list(client.search(["ALL"]))
        finally:
            client.logout()

    def wipe(self, user: str = USER) -> None:
        """Empty every folder of `user` between tests (faster than a new server)."""
        client = self.client(user)
        try:
            for _, _, name in client.list_folders():
                client.select_folder(name)
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
        finally:
            client.logout()

    def renumber(self, folder: str = "INBOX", user: str = USER) -> None:
        """Force a new UIDVALIDITY: drop Dovecot's uid list for that folder."""
        base = self.root / "mail" / user
        path = base if folder == "INBOX" else base / f".{folder}"
        (path / "dovecot-uidlist").unlink(missing_ok=True)
        for name in ("dovecot.index", "dovecot.index.cache", "dovecot.index.log"):
            (path / name).unlink(missing_ok=True)


def create() -> Dovecot:
    # Not under pytest's tmp_path: its 0700 parents are closed to the mail uid.
    root = Path(tempfile.mkdtemp(prefix="onboardd-dovecot-", dir="/tmp"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for sub in ("mail", "home"):
        os.chown(root / sub, MAIL_UID, MAIL_UID)
    make_certificate(root)
    (root / "users").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in USERS))
    dh = Path("/usr/share/dovecot/dh.pem")
    server = Dovecot(root, free_port(), free_port())
    server.conf.write_text(
        CONFIG.format(
            name=root.name,
            root=root,
            port=server.port,
            tls_port=server.tls_port,
            uid=MAIL_UID,
            basic=_BASIC,
            ssl_dh=f"ssl_dh = <{dh}" if dh.exists() else "",
        )
    )
    return server


def remove(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
