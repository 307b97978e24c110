"""`onboardd init`: make what a first start needs and nothing creates unasked.

A Maildir or a database folder that does not exist is most often a typo in the config,
so the daemon never makes one on its own; this is the explicit way to make them.
"""

from __future__ import annotations

from onboardd.daemon.config import Config, MaildirMailbox, sqlite_file
from onboardd.daemon.maildir import make_maildir
from onboardd.store.engine import upgrade_database

# The database folder holds only the database and its WAL: nobody else need list it.
DATABASE_FOLDER_MODE = 0o750


def initialise(config: Config) -> list[str]:
    """Make each Maildir mailbox, the SQLite database's folder, and the schema; one line
    for each thing done or found done."""
    done = []
    for mailbox in config.mailboxes:
        if isinstance(mailbox, MaildirMailbox):
            existed = (mailbox.path / "new").is_dir()
            make_maildir(mailbox.path)
            done.append(f"mailbox {mailbox.name}: Maildir {mailbox.path} "
                        f"{'was there already' if existed else 'created'}")
    database = sqlite_file(config.store.url)
    if database is not None and not database.parent.is_dir():
        database.parent.mkdir(parents=True, mode=DATABASE_FOLDER_MODE)
        done.append(f"database folder {database.parent} created")
    _, after, applied = upgrade_database(config.store.url)
    if applied:
        done.append(f"database: applied {', '.join(applied)}")
    else:
        done.append(f"database: up to date (revision {after})")
    return done
