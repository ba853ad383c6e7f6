"""The composition root: the one place where concrete adapters are chosen and wired together.

Clock, database, routing host, mailer, channel adapters (their registry, the inbox and the outbox),
the case SLA monitor, the callback scheduler, the retention scheduler and the background loops that drive them are built
here, by :func:`build_application`, and handed to the shells. Only entry points import this module: the
command line, the HTTP application factory (``helpline.asgi``) and tests. It may import anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread
from sqlalchemy.engine import make_url

from helpline.channels.base import ChannelRegistry
from helpline.channels.chat.adapter import ChatAdapter
from helpline.channels.chat.hub import ChatHub
from helpline.channels.email import EmailAdapter
from helpline.channels.inbox import Inbox
from helpline.channels.mailer import Mailer
from helpline.channels.outbox import Outbox
from helpline.channels.providers import ProviderAdapter
from helpline.clock import Clock, utc_now
from helpline.config import Settings
from helpline.demo.traffic import TICK_SECONDS, DemoTraffic
from helpline.domain.enums import Channel
from helpline.services.acd.callback_scheduler import CallbackScheduler
from helpline.services.acd.routing import RoutingService
from helpline.services.actor import system_actor
from helpline.services.cases.sla import CaseSlaMonitor
from helpline.services.identity import organizations
from helpline.services.privacy.retention import RetentionScheduler
from helpline.services.reporting import facts
from helpline.storage import migrations
from helpline.storage.database import Database, make_engine, make_session_factory
from helpline.storage.notify import EventNotifier
from helpline.storage.secrets import (
    Keyring,
    SecretKeyError,
    install_keyring,
    installed_keyring,
    load_keyring,
    rotate_stored_secrets,
)

__all__ = [
    "Application",
    "Database",
    "SecretKeyError",
    "build_application",
    "channel_registry",
    "check_secret_keys",
    "open_database",
    "rotate_secrets",
    "schema_revision",
    "upgrade_schema",
]

TIMER_TICK_SECONDS = 0.5
"""Longest sleep of the routing timer loop (it wakes earlier when a timer is due sooner)."""
SLA_TICK_SECONDS = 1.0
"""How often case SLAs falling due, and cases touched by replies or answers, are evaluated."""
CALLBACK_TICK_SECONDS = 1.0
"""Longest sleep of the callback scheduler (it wakes when the next slot starts, if sooner)."""
RETENTION_TICK_SECONDS = 3600.0
"""How often retention policies are applied (each run is audited)."""

DEFAULT_KEY_FILE = "helpline-secret.key"
REPORT_FACTS_REVISION = "0010"
"""The migration that added report facts; a database upgraded across it gets them rebuilt."""
logger = logging.getLogger(__name__)


def open_database(settings: Settings, clock: Clock = utc_now) -> Database:
    """Connect to ``settings.database_url`` (migrations are run separately by ``helpline db``), with
    the keyring of stored secrets installed (SecretKeyError for a malformed key)."""
    install_keyring(load_keyring(settings.secret_keys, key_file_for(settings)))
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    sessions = make_session_factory(engine, clock)
    notifier = EventNotifier()
    notifier.watch(sessions)
    return Database(engine=engine, sessions=sessions, notifier=notifier, clock=clock)


def key_file_for(settings: Settings) -> Path:
    """Where the generated key of stored secrets lives when ``HELPLINE_SECRET_KEYS`` is not set:
    ``HELPLINE_SECRET_KEY_FILE``, else next to the SQLite database, else the working directory."""
    if settings.secret_key_file:
        return Path(settings.secret_key_file)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.secret-key")
    return Path(DEFAULT_KEY_FILE)


def check_secret_keys(settings: Settings) -> None:
    """SecretKeyError (naming the key's position) when ``HELPLINE_SECRET_KEYS`` has a malformed key."""
    keys = [key for key in settings.secret_keys.split(",") if key.strip()]
    if keys:
        Keyring(keys)


def rotate_secrets(db: Database) -> int:
    """Re-encrypt every stored secret with the first key of the installed keyring, in one
    transaction; returns how many. SecretKeyError (nothing changed) when no key decrypts one."""
    with db.engine.begin() as connection:
        return rotate_stored_secrets(connection, installed_keyring())


def schema_revision(db: Database) -> str | None:
    """The database's schema revision (None before ``helpline db upgrade`` created it)."""
    return migrations.current_revision(db.engine)


def upgrade_schema(db: Database, report: Callable[[str], None] = lambda _line: None) -> None:
    """Create or migrate the schema to the newest revision; ``report`` hears what was done.

    Events stored before report facts existed get their facts derived once, here.
    """
    before = schema_revision(db)
    migrations.upgrade(db.engine)
    report(f"database at revision {schema_revision(db)}")
    if before is not None and before < REPORT_FACTS_REVISION:
        with db.transaction() as session:
            for organization_id in organizations.organization_ids(session):
                count = facts.rebuild_facts(session, system_actor(organization_id))
                report(f"organization {organization_id}: report facts of {count} contacts")


def channel_registry(settings: Settings, mailer: Mailer | None = None) -> ChannelRegistry:
    """The adapters ``settings`` enable (each channel's settings say how it connects), sending
    email (replies and chat transcripts) through ``mailer`` (default: the relay of ``settings``)."""
    mailer = mailer or Mailer.from_settings(settings)
    registry = ChannelRegistry()
    # SMS and social replies go out through each organization's provider connections; no port bound.
    for channel in (Channel.SMS, Channel.SOCIAL):
        registry.register(
            ProviderAdapter(
                channel,
                timeout_seconds=settings.provider_timeout_seconds,
                public_url=settings.public_url,
            )
        )
    # Web chat binds no port of its own (it is served by the HTTP shell), so it always runs.
    registry.register(ChatAdapter(ChatHub(), mailer, settings.mail_from))
    # Email replies always go out through the relay; the inbound listener and the IMAP poller
    # start only when their settings ask for them.
    registry.register(EmailAdapter(settings, mailer=mailer))
    return registry


async def _run_timers(routing: RoutingService) -> None:
    """Run routing timers (offer timeouts, escalations, after-contact work) as they fall due."""
    while True:
        await asyncio.sleep(routing.seconds_to_next_timer(TIMER_TICK_SECONDS))
        try:
            await to_thread.run_sync(routing.advance_due)
        except Exception:  # a failed tick must not stop routing; the engine rebuilds next time
            logger.exception("routing timers failed")


async def _run_case_sla(monitor: CaseSlaMonitor) -> None:
    """Evaluate case SLAs on the app clock: first responses, warnings, breaches, escalations."""
    while True:
        try:
            await to_thread.run_sync(monitor.evaluate_changed)
            await to_thread.run_sync(monitor.evaluate)
        except Exception:  # a failed tick must not stop SLA tracking; the next one retries
            logger.exception("case SLA evaluation failed")
        await asyncio.sleep(SLA_TICK_SECONDS)


async def _run_callbacks(scheduler: CallbackScheduler) -> None:
    """Route scheduled callbacks as their slots start (held while their queue is closed)."""
    while True:
        try:
            await to_thread.run_sync(scheduler.run_once)
            pause = await to_thread.run_sync(scheduler.seconds_to_next, CALLBACK_TICK_SECONDS)
        except Exception:  # a failed pass must not stop callbacks; the next one retries
            logger.exception("callback scheduling failed")
            pause = CALLBACK_TICK_SECONDS
        await asyncio.sleep(pause)


async def _run_retention(scheduler: RetentionScheduler) -> None:
    """Apply retention policies at start-up, then every ``RETENTION_TICK_SECONDS``."""
    while True:
        try:
            await to_thread.run_sync(scheduler.run_once)
        except Exception:  # a failed run must not stop retention; the next one retries
            logger.exception("retention run failed")
        await asyncio.sleep(RETENTION_TICK_SECONDS)


async def _run_demo_traffic(traffic: DemoTraffic) -> None:
    """Drive the demo's simulated customers and agents about once a second."""
    if not await to_thread.run_sync(traffic.start):
        logger.warning("--demo-traffic: the demo organization is not loaded (helpline demo-data)")
        return
    while True:
        try:
            await to_thread.run_sync(traffic.step)
        except Exception:  # a failed tick must not end the demo; the next one starts afresh
            logger.exception("demo traffic step failed")
        await asyncio.sleep(TICK_SECONDS)


def _organization_ids(db: Database) -> list[int]:
    with db.transaction() as session:
        return organizations.organization_ids(session)


@dataclass
class Application:
    """Everything a running Helpline process is made of, wired once; shells serve over it."""

    settings: Settings
    db: Database
    routing: RoutingService
    channels: ChannelRegistry
    inbox: Inbox
    outbox: Outbox
    case_sla: CaseSlaMonitor
    callbacks: CallbackScheduler
    retention: RetentionScheduler
    owns_db: bool
    """Whether :meth:`running` closes the database at the end (it opened it)."""

    @property
    def clock(self) -> Clock:
        """The one clock of every unit of work, routing timer and decision."""
        return self.db.clock

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the application: the routing host, its timers, case SLAs, scheduled callbacks,
        retention, the channel adapters, outbound delivery and (when asked) demo traffic; stop them all on exit."""
        organization_ids = await to_thread.run_sync(_organization_ids, self.db)
        await to_thread.run_sync(self.routing.start, organization_ids)
        timers = asyncio.create_task(_run_timers(self.routing))
        sla = asyncio.create_task(_run_case_sla(self.case_sla))
        callbacks = asyncio.create_task(_run_callbacks(self.callbacks))
        retention = asyncio.create_task(_run_retention(self.retention))
        await self.channels.start(self.inbox)
        delivery = asyncio.create_task(self.outbox.run(self.settings.outbox_poll_seconds))
        demo = (
            asyncio.create_task(_run_demo_traffic(DemoTraffic(self.db, self.routing)))
            if self.settings.demo_traffic
            else None
        )
        try:
            yield
        finally:
            # Wait for the background tasks to end here, while the event loop's thread pool still
            # serves them: a task left cancelling past shutdown can hang the loop's close.
            for task in (demo, delivery, retention, callbacks, sla, timers):
                if task is None:
                    continue
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.channels.stop()
            if self.owns_db:
                self.db.dispose()


def build_application(
    settings: Settings,
    db: Database | None = None,
    clock: Clock | None = None,
    channels: ChannelRegistry | None = None,
) -> Application:
    """Wire the application around ``db`` (opened from ``settings`` when not given).

    ``clock`` (default: the database's) times every unit of work, routing timer and decision (tests
    pass a controllable one); ``channels`` are the channel adapters to run (default: those
    ``settings`` enable).
    """
    database = db if db is not None else open_database(settings)
    if clock is not None:
        database = database.with_clock(clock)
    routing = RoutingService(database)
    registry = channels if channels is not None else channel_registry(settings)
    inbox = Inbox(database, routing)
    outbox = Outbox(database, registry)
    database.notifier.subscribe(outbox.on_events)
    return Application(
        settings=settings,
        db=database,
        routing=routing,
        channels=registry,
        inbox=inbox,
        outbox=outbox,
        case_sla=CaseSlaMonitor(database),
        callbacks=CallbackScheduler(database, routing),
        retention=RetentionScheduler(database),
        owns_db=db is None,
    )
