"""Settings read from the environment (``HELPLINE_*``) by every command."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide configuration; each field is the environment variable ``HELPLINE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="HELPLINE_", extra="ignore")

    database_url: str = "sqlite:///helpline.db"
    """SQLAlchemy URL; ``postgresql://user@host/db`` selects PostgreSQL (psycopg 3)."""
    host: str = "127.0.0.1"
    port: int = 8000
    session_hours: int = 12
    """How long a browser login session lasts."""
    login_account_max_failures: int = 5
    """Failed logins for one account (known or not) within ``login_window_seconds`` that lock it."""
    login_address_max_failures: int = 20
    """Failed logins from one client address within ``login_window_seconds`` that lock it."""
    login_window_seconds: int = 900
    """The window failed logins are counted in."""
    login_lockout_seconds: int = 900
    """How long a locked account or address is refused (answer 429 with Retry-After)."""
    sqlite_busy_timeout_ms: int = 10_000
    """How long an SQLite writer waits for the write lock before failing."""
    event_poll_seconds: float = 1.0
    """How often event streams look for events written by other processes or nodes."""
    smtp_host: str = "127.0.0.1"
    """The SMTP relay outgoing email (replies, acknowledgements, transcripts) is handed to."""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "helpline@localhost"
    """The sender address of email Helpline writes when an organization has none of its own."""
    outbox_poll_seconds: float = 2.0
    demo_traffic: bool = False
    """Simulate customers and agents of the demo organization (``helpline serve --demo-traffic``)."""
    """How often the outbox looks for replies due for (re)delivery queued by other nodes."""
    public_url: str = ""
    """This server's address as providers reach it (e.g. ``https://helpline.example.com``): the URL
    Twilio signatures are checked against and delivery receipts are posted to. Empty: the request's."""
    behind_proxy: bool = False
    """Whether a trusted reverse proxy fronts this server: the client address (audit log) is then the
    last entry of ``X-Forwarded-For`` (the one the proxy added), and ``X-Forwarded-Proto: https``
    counts as HTTPS (HSTS, Secure cookies). Leave off when clients reach the server directly: they
    could forge both headers."""
    provider_timeout_seconds: float = 10.0
    """How long an SMS/social provider may take to accept a message before the send is retried."""
    smtp_listen_host: str = "127.0.0.1"
    """Where Helpline's own SMTP listener (inbound email) binds."""
    smtp_listen_port: int = 0
    """Port of the inbound SMTP listener; 0 (the default) runs none."""
    smtp_listen_hostname: str = ""
    """The name the listener greets with (default: this machine's fully qualified name)."""
    email_imap_polling: bool = False
    """Poll the IMAP mailboxes configured on organizations' email addresses."""
    email_max_message_bytes: int = 25 * 1024 * 1024
    """Largest inbound email the SMTP listener accepts."""
    email_attachment_max_bytes: int = 10 * 1024 * 1024
    """Largest attachment kept from an inbound email (larger ones are listed, not stored)."""
    max_body_bytes: int = 1024 * 1024
    """Largest request body accepted (JSON, forms, webhooks); larger ones are answered 413."""
    max_upload_bytes: int = 25 * 1024 * 1024
    """Largest file upload accepted (the chat widget's attachments; each widget may set less)."""
    refused_attachment_types: tuple[str, ...] = (
        "text/html",
        "image/svg+xml",
        "application/javascript",
        "text/javascript",
        "application/x-msdownload",
        "application/x-executable",
    )
    """Media types (detected from the bytes) never stored as attachments, from any channel."""
    secret_keys: str = ""
    """Comma-separated Fernet keys encrypting stored secrets (IMAP passwords, provider secrets): the
    first encrypts, all decrypt (rotation). Empty: a key generated once into ``secret_key_file``."""
    secret_key_file: str = ""
    """Where the generated key is kept when ``secret_keys`` is empty (default: next to the SQLite
    database, ``<database>.secret-key``; ``helpline-secret.key`` in the working directory otherwise)."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
