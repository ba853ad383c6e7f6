"""Secrets at rest: provider secrets, IMAP and outbound passwords and widget signing secrets are
stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under keys from the environment.

``HELPLINE_SECRET_KEYS`` holds comma-separated Fernet keys: the first encrypts, every one decrypts,
so a new key is put first, ``helpline secrets rotate`` re-encrypts every stored secret with it, and
the old key can then be dropped. Without the variable a key is generated once into a file (next to
the SQLite database by default) with a warning in the log.

Columns declared :class:`EncryptedText` encrypt on write and decrypt on read, so services handle
plain values; the database only ever holds ``enc:v1:<Fernet token>`` (or ``""``: no secret).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Connection, Text, column, select, table, update
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

PREFIX = "enc:v1:"
"""Marks an encrypted value (values without it are plaintext from before encryption)."""
ENCRYPTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("email_addresses", "imap_password"),
    ("provider_connections", "secret"),
    ("provider_connections", "outbound_password"),
    ("chat_widgets", "signing_secret"),
    ("email_addresses", "verification_token"),
    ("users", "totp_secret"),
    ("users", "totp_pending_secret"),
)
"""Every ``(table, column)`` holding a secret: what the migration encrypts and rotation rewrites."""


class SecretKeyError(Exception):
    """A key in ``HELPLINE_SECRET_KEYS`` is malformed, or no key decrypts a stored secret."""


class Keyring:
    """The keys secrets are encrypted with: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SecretKeyError("no secret key given")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode()))
            except (ValueError, TypeError):
                raise SecretKeyError(
                    f"secret key {position} is not a Fernet key (32 url-safe base64-encoded "
                    "bytes; make one with `helpline secrets new-key`)"
                ) from None
        self._fernet = MultiFernet(fernets)

    def encrypt(self, plain: str) -> str:
        """``plain`` encrypted with the first key (``""`` stays ``""``: no secret)."""
        if not plain:
            return ""
        return PREFIX + self._fernet.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The plain value of a stored one (plaintext from before encryption passes through)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted with any key of HELPLINE_SECRET_KEYS"
            ) from None

    def rotate(self, stored: str) -> str:
        """A stored value re-encrypted with the first key (plaintext gets encrypted)."""
        return self.encrypt(self.decrypt(stored))


_installed: Keyring | None = None


def install_keyring(keyring: Keyring) -> None:
    """Make ``keyring`` the one :class:`EncryptedText` columns use in this process."""
    global _installed
    _installed = keyring


def installed_keyring() -> Keyring:
    """The keyring of this process (:func:`install_keyring`); RuntimeError before one is."""
    if _installed is None:
        raise RuntimeError("no secret keyring installed; open the database through bootstrap")
    return _installed


class EncryptedText(TypeDecorator[str]):
    """A secret: encrypted with the installed keyring when written, decrypted when read."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return installed_keyring().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return installed_keyring().decrypt(str(value))


def load_keyring(secret_keys: str, key_file: Path) -> Keyring:
    """The keyring of comma-separated ``secret_keys``, else of ``key_file`` (generated, with a
    warning, the first time). SecretKeyError for a malformed key."""
    keys = [key for key in secret_keys.split(",") if key.strip()]
    if keys:
        return Keyring(keys)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(Fernet.generate_key().decode("ascii") + "\n")
        logger.warning(
            "HELPLINE_SECRET_KEYS is not set: generated a key for stored secrets into %s; "
            "keep it with the database (set HELPLINE_SECRET_KEYS in production)",
            key_file,
        )
    return Keyring([key_file.read_text().strip()])


def rotate_stored_secrets(
    connection: Connection,
    keyring: Keyring,
    columns: Sequence[tuple[str, str]] = ENCRYPTED_COLUMNS,
) -> int:
    """Re-encrypt every stored secret of ``columns`` with the keyring's first key (plaintext gets
    encrypted); returns how many values were rewritten. SecretKeyError when no key decrypts one."""
    rewritten = 0
    for table_name, column_name in columns:
        secrets = table(table_name, column("id"), column(column_name))
        value = secrets.c[column_name]
        rows = connection.execute(select(secrets.c.id, value).where(value != "")).all()
        for row_id, stored in rows:
            connection.execute(
                update(secrets)
                .where(secrets.c.id == row_id)
                .values({column_name: keyring.rotate(stored)})
            )
            rewritten += 1
    return rewritten
