"""Stored secrets are encrypted: the database holds Fernet tokens, services read plain values, the
migration encrypts what was stored before, and ``helpline secrets rotate`` re-encrypts everything
under a new key (exit code 2 with a message for a bad key)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from typer.testing import CliRunner

from helpline.bootstrap import Database, key_file_for, open_database
from helpline.cli import app
from helpline.config import Settings, get_settings
from helpline.storage import migrations
from helpline.storage.secrets import (
    PREFIX,
    Keyring,
    SecretKeyError,
    install_keyring,
    installed_keyring,
    load_keyring,
)
from helpline.storage.tables import EmailAddress, ProviderConnection
from tests.factories import create_ok, make_client, make_tenant

pytestmark = pytest.mark.integration
runner = CliRunner()
PROVIDER_SECRET = "victim-secret-0123456789"
IMAP_PASSWORD = "imap-pass-9876543210"


@pytest.fixture(autouse=True)
def _restore_keyring() -> Iterator[None]:
    yield
    install_keyring(load_keyring(Settings().secret_keys, Path("unused")))  # the tests' key
    get_settings.cache_clear()


def _store_secrets(db: Database) -> tuple[int, int]:
    """A provider connection and a polled mailbox, created through the API."""
    client = make_client(db)
    tenant = make_tenant(db)
    connection = create_ok(
        client,
        tenant,
        "provider-connections",
        {
            "name": "Texts in",
            "provider": "generic_json",
            "channel": "sms",
            "address": "+447700900000",
            "secret": PROVIDER_SECRET,
            "outbound_url": "http://127.0.0.1:9/send",
            "outbound_username": "u",
            "outbound_password": "outbound-pass-1234",
        },
    )
    queue = create_ok(client, tenant, "queues", {"name": "Mail", "channel": "email"})
    address = create_ok(
        client,
        tenant,
        "email-addresses",
        {
            "queue_id": queue["id"],
            "address": f"help-{uuid.uuid4().hex[:8]}@example.com",
            "imap_host": "127.0.0.1",
            "imap_username": "help",
            "imap_password": IMAP_PASSWORD,
        },
    )
    return connection["id"], address["id"]


def _raw(db: Database, sql: str, row_id: int) -> str:
    with db.engine.connect() as connection:
        value: str = connection.execute(text(sql), {"id": row_id}).scalar_one()
    return value


def test_secrets_are_stored_encrypted_and_read_back_plain(db: Database) -> None:
    connection_id, address_id = _store_secrets(db)

    secret = _raw(db, "SELECT secret FROM provider_connections WHERE id = :id", connection_id)
    outbound = _raw(
        db, "SELECT outbound_password FROM provider_connections WHERE id = :id", connection_id
    )
    imap = _raw(db, "SELECT imap_password FROM email_addresses WHERE id = :id", address_id)
    for stored, plain in (
        (secret, PROVIDER_SECRET),
        (outbound, "outbound-pass-1234"),
        (imap, IMAP_PASSWORD),
    ):
        assert stored.startswith(PREFIX)
        assert plain not in stored
    with db.engine.connect() as connection:
        widget_secrets = connection.execute(text("SELECT signing_secret FROM chat_widgets")).all()
        events = connection.execute(text("SELECT payload FROM events")).scalars().all()
    assert all(row[0].startswith(PREFIX) for row in widget_secrets)
    assert not [p for p in events if PROVIDER_SECRET in str(p) or IMAP_PASSWORD in str(p)]

    with db.read() as session:
        provider = session.scalar(
            select(ProviderConnection).where(ProviderConnection.id == connection_id)
        )
        mailbox = session.scalar(select(EmailAddress).where(EmailAddress.id == address_id))
    assert provider is not None
    assert mailbox is not None
    assert provider.secret == PROVIDER_SECRET
    assert provider.outbound_password == "outbound-pass-1234"
    assert mailbox.imap_password == IMAP_PASSWORD


def test_keyring_decrypts_with_any_key_and_refuses_a_bad_one() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = Keyring([old]).encrypt("s3cret")
    both = Keyring([new, old])
    assert both.decrypt(stored) == "s3cret"
    rotated = both.rotate(stored)
    assert Keyring([new]).decrypt(rotated) == "s3cret"
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        Keyring([old]).decrypt(rotated)
    with pytest.raises(SecretKeyError, match="secret key 2 is not a Fernet key"):
        Keyring([new, "not-a-key"])
    assert Keyring([new]).decrypt("legacy plaintext") == "legacy plaintext"
    assert Keyring([new]).encrypt("") == ""


def test_without_keys_a_key_file_is_generated_once_next_to_the_database(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", secret_keys="")
    first = load_keyring(settings.secret_keys, key_file_for(settings))
    key_file = tmp_path / "h.db.secret-key"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only
    stored = first.encrypt("kept")
    assert load_keyring("", key_file).decrypt(stored) == "kept"  # the same key the next time


def test_the_migration_encrypts_plaintext_secrets(tmp_path: Path) -> None:
    db = open_database(Settings(database_url=f"sqlite:///{tmp_path / 'old.db'}"))
    try:
        migrations.upgrade(db.engine, "0014")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organizations (id, name, time_zone, country, created_at) "
                    "VALUES (1, 'Old', 'UTC', 'GB', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO provider_connections (id, organization_id, name, provider, "
                    "channel, address, network, secret, outbound_url, outbound_username, "
                    "outbound_password, is_active) VALUES (1, 1, 'p', 'generic_json', 'sms', "
                    "'+447700900000', '', :secret, '', '', '', 1)"
                ),
                {"secret": PROVIDER_SECRET},
            )
        migrations.upgrade(db.engine)
        stored = _raw(db, "SELECT secret FROM provider_connections WHERE id = :id", 1)
        assert stored.startswith(PREFIX)
        assert installed_keyring().decrypt(stored) == PROVIDER_SECRET
    finally:
        db.dispose()


def _cli(args: list[str], keys: str) -> tuple[int, str]:
    get_settings.cache_clear()
    result = runner.invoke(app, args, env={"HELPLINE_SECRET_KEYS": keys})
    get_settings.cache_clear()
    return result.exit_code, result.output


def test_rotate_re_encrypts_every_secret_with_the_first_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert _cli(["db", "upgrade", "--database-url", url], old)[0] == 0
    db = open_database(Settings(database_url=url, secret_keys=old))
    try:
        connection_id, _address_id = _store_secrets(db)
        before = _raw(db, "SELECT secret FROM provider_connections WHERE id = :id", connection_id)

        code, output = _cli(["secrets", "rotate", "--database-url", url], f"{new},{old}")
        assert code == 0, output
        assert "re-encrypted" in output
        after = _raw(db, "SELECT secret FROM provider_connections WHERE id = :id", connection_id)
        assert after != before
        assert Keyring([new]).decrypt(after) == PROVIDER_SECRET

        code, output = _cli(["secrets", "rotate", "--database-url", url], "not-a-key")
        assert code == 2
        assert "not a Fernet key" in output
        code, output = _cli(["db", "upgrade", "--database-url", url], f"{new},x")
        assert code == 2
        assert "secret key 2 is not a Fernet key" in output
        code, output = _cli(["secrets", "rotate", "--database-url", url], old)  # new key lost
        assert code == 2
        assert "cannot be decrypted" in output
        unchanged = _raw(
            db, "SELECT secret FROM provider_connections WHERE id = :id", connection_id
        )
        assert unchanged == after
    finally:
        db.dispose()
