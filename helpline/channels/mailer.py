"""Outgoing email over SMTP (aiosmtplib): replies, acknowledgements, chat transcripts."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from helpline.config import Settings


class MailRefused(Exception):
    """The SMTP server refused the message; ``retry`` says whether a later attempt may succeed."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.retry = retry


@dataclass(frozen=True)
class Mailer:
    """Sends email through one SMTP server (the organization's relay or a local MTA)."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        """The relay ``HELPLINE_SMTP_*`` names."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    async def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the relay; raises :class:`MailRefused` when it is not accepted.

        Permanent refusals (5xx) are not retried; connection problems and 4xx replies are.
        """
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username or None,
                password=self.password or None,
                start_tls=self.starttls,
                timeout=self.timeout_seconds,
            )
        except aiosmtplib.SMTPNotSupported as error:
            # A non-ASCII address (RFC 6531) and a relay without SMTPUTF8: no retry will change it.
            raise MailRefused(f"the mail relay cannot send this: {error}", retry=False) from error
        except aiosmtplib.SMTPResponseException as error:
            raise MailRefused(f"{error.code} {error.message}", retry=error.code < 500) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailRefused(str(error) or type(error).__name__, retry=True) from error
