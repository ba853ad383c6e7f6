"""Polling organizations' existing IMAP mailboxes (stdlib ``imaplib``) for new email.

Nothing is ingested twice: the poller remembers the mailbox's UIDVALIDITY and the last UID it took
in (``EmailAddress.imap_state``), marks what it took ``\\Seen``, and the inbox stores a Message-ID once
anyway. The first poll of a mailbox takes only its unseen messages (not years of old mail); when
UIDVALIDITY changes, the UIDs are new and unseen messages are read again.
"""

from __future__ import annotations

import asyncio
import imaplib
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from helpline.services.conversations.email import (
    ImapMailbox,
    mailboxes_to_poll,
    record_imap_progress,
)
from helpline.services.unit_of_work import Database

logger = logging.getLogger(__name__)

BATCH = 100
"""Most messages taken from one mailbox per poll (the rest wait for the next one)."""
TIMEOUT_SECONDS = 30.0


class ImapError(Exception):
    """The IMAP server refused a command."""


def _ok(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise ImapError(f"{what}: {status} {data!r}")
    return data


@contextmanager
def imap_session(mailbox: ImapMailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in IMAP connection with ``mailbox.folder`` selected (read-write)."""
    connection: imaplib.IMAP4
    if mailbox.security == "ssl":
        connection = imaplib.IMAP4_SSL(
            mailbox.host,
            mailbox.port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    else:
        connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
        if mailbox.security == "starttls":
            connection.starttls(ssl.create_default_context())
    try:
        _ok(connection.login(mailbox.username, mailbox.password), "LOGIN")
        _ok(connection.select(_quoted(mailbox.folder)), f"SELECT {mailbox.folder}")
        yield connection
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.debug("IMAP logout from %s failed", mailbox.host)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uidvalidity(connection: imaplib.IMAP4) -> int:
    _, data = connection.response("UIDVALIDITY")
    if not data or data[0] is None:
        raise ImapError("the server named no UIDVALIDITY")
    return int(data[0])


def _new_uids(connection: imaplib.IMAP4, last_uid: int) -> list[int]:
    # "n:*" always matches the newest message, even when its UID is below n: filtered below.
    criteria = f"UID {last_uid + 1}:*" if last_uid else "UNSEEN"
    data = _ok(connection.uid("SEARCH", criteria), "SEARCH")
    uids = sorted(int(uid) for uid in b" ".join(data).split() if int(uid) > last_uid)
    return uids[:BATCH]


def _fetch(connection: imaplib.IMAP4, uid: int) -> bytes:
    data = _ok(connection.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"FETCH {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    raise ImapError(f"FETCH {uid} returned no message")


def poll_mailbox(
    mailbox: ImapMailbox,
    take: Callable[[bytes], object],
    save: Callable[[dict[str, Any]], None],
) -> int:
    """Hand each new message of ``mailbox`` to ``take``, mark it seen and ``save`` the progress after
    each one (so a crash re-reads at most one message). Returns how many were taken."""
    with imap_session(mailbox) as connection:
        uidvalidity = _uidvalidity(connection)
        state = mailbox.state
        same = state.get("mailbox") == mailbox.key and state.get("uidvalidity") == uidvalidity
        last_uid = int(state.get("last_uid", 0)) if same else 0
        if not same:
            save({"mailbox": mailbox.key, "uidvalidity": uidvalidity, "last_uid": 0})
        uids = _new_uids(connection, last_uid)
        for uid in uids:
            take(_fetch(connection, uid))
            _ok(connection.uid("STORE", str(uid), "+FLAGS", "(\\Seen)"), f"STORE {uid}")
            save({"mailbox": mailbox.key, "uidvalidity": uidvalidity, "last_uid": uid})
        return len(uids)


class ImapPoller:
    """Polls every organization's configured mailbox at its own interval, one at a time."""

    def __init__(
        self,
        db: Database,
        take: Callable[[bytes, ImapMailbox], object],
        tick_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.take = take
        self.tick_seconds = tick_seconds
        self._polled_at: dict[int, float] = {}

    def _mailboxes(self) -> list[ImapMailbox]:
        with self.db.transaction() as session:
            return mailboxes_to_poll(session)

    def _save(self, mailbox: ImapMailbox, state: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            record_imap_progress(
                session, mailbox.route.organization_id, mailbox.route.address_id, state
            )

    def poll(self, mailbox: ImapMailbox) -> int:
        """Read ``mailbox`` once now (blocking); returns how many messages were taken."""
        return poll_mailbox(
            mailbox,
            lambda raw: self.take(raw, mailbox),
            lambda state: self._save(mailbox, state),
        )

    def poll_due(self) -> int:
        """Read every mailbox whose interval has passed (blocking); returns messages taken."""
        taken = 0
        for mailbox in self._mailboxes():
            key = mailbox.route.address_id
            now = time.monotonic()  # noqa: TID251 - pacing between polls, never a recorded time
            if now - self._polled_at.get(key, -1e18) < mailbox.poll_interval_seconds:
                continue
            self._polled_at[key] = now
            try:
                taken += self.poll(mailbox)
            except (ImapError, imaplib.IMAP4.error, OSError) as error:
                logger.warning(
                    "polling %s for %s failed: %s", mailbox.key, mailbox.route.address, error
                )
        return taken

    async def run(self) -> None:
        """Poll due mailboxes until cancelled."""
        while True:
            try:
                await asyncio.to_thread(self.poll_due)
            except Exception:  # the database may be briefly unavailable; try again next tick
                logger.exception("IMAP polling round failed")
            await asyncio.sleep(self.tick_seconds)
