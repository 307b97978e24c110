"""Build the running parts from a config: database, templates, mailboxes, transport."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemLoader
from sqlalchemy import Engine

import onboardd.templates
from onboardd.daemon.config import Config, FileTransport, ImapMailbox, MaildirMailbox
from onboardd.daemon.imapbox import ImapMailbox as ImapAdapter
from onboardd.daemon.ingest import Pipeline
from onboardd.daemon.mailbox import Mailbox
from onboardd.daemon.maildir import MaildirMailbox as MaildirAdapter
from onboardd.daemon.outgoing import Sender
from onboardd.daemon.smtp import SmtpTransport as SmtpTransportAdapter
from onboardd.daemon.transport import FileTransport as FileTransportAdapter
from onboardd.daemon.transport import Transport
from onboardd.responders.render import Renderer, make_environment
from onboardd.store.engine import make_engine, session_factory, upgrade

TEMPLATES = Path(onboardd.templates.__file__).resolve().parent


@dataclass
class App:
    config: Config
    engine: Engine
    pipeline: Pipeline

    def sender_for(self, mailbox_name: str) -> Sender:
        """How replies go out for mail that arrived in this mailbox."""
        mailbox = next(
            (m for m in self.config.mailboxes if m.name == mailbox_name), self.config.mailboxes[0]
        )
        return Sender(mailbox.address, mailbox.plus_addressing, self.config.trust.token_days)

    def mailboxes(self) -> list[Mailbox]:
        return [_mailbox(m) for m in self.config.mailboxes]

    def transport(self) -> Transport:
        transport = self.config.transport
        if isinstance(transport, FileTransport):
            return FileTransportAdapter(transport.path)
        return SmtpTransportAdapter(transport)


@functools.cache
def load_renderer() -> Renderer:
    """The templates compiled once a process: they ship with the package and change
    only with it, and a Renderer is only read after it is built."""
    return Renderer(make_environment(FileSystemLoader(TEMPLATES)))


def build(config: Config, *, migrate: bool = True) -> App:
    engine = make_engine(config.store.url)
    if migrate:
        upgrade(engine)
    pipeline = Pipeline(session_factory(engine), config.policy, load_renderer())
    return App(config, engine, pipeline)


def _mailbox(config: MaildirMailbox | ImapMailbox) -> Mailbox:
    if isinstance(config, MaildirMailbox):
        return MaildirAdapter(config.name, config.address, config.path, config.backlog_days,
                              create=config.create)
    return ImapAdapter(config)
