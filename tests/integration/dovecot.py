"""A real Dovecot IMAP server for the tests: own config, loopback ports, temp mail store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

USER = "onboarding"
NO_MOVE_USER = "nomove"  # a user whose session does not offer MOVE
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
auth_mechanisms = plain login
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
    address = 127.0.0.1
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
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""


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
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self, user: str = USER) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", user: str = USER) -> None:
        client = self.client(user)
        try:
            client.append(folder, raw)
        finally:
            client.logout()

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
    capability = "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE UIDPLUS"
    (root / "users").write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}::::::\n"
        f"{NO_MOVE_USER}:{{PLAIN}}{PASSWORD}::::::userdb_imap_capability={capability}\n"
    )
    dh = Path("/usr/share/dovecot/dh.pem")
    server = Dovecot(root, free_port(), free_port())
    server.conf.write_text(
        CONFIG.format(
            name=root.name,
            root=root,
            port=server.port,
            tls_port=server.tls_port,
            uid=MAIL_UID,
            ssl_dh=f"ssl_dh = <{dh}" if dh.exists() else "",
        )
    )
    return server


def remove(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
