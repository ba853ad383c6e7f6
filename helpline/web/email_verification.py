"""The page a confirmation link opens: who claims the address, and a button to confirm.

Opening the link (GET) changes nothing, so mail scanners that follow links cannot confirm a claim;
the reader's POST does. The one-time token is the credential (no login, no session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from helpline.http.deps import get_db
from helpline.services.conversations import email_verification
from helpline.web.render import page

router = APIRouter(include_in_schema=False)
PATH = "/email-verification"


@router.get(PATH, response_class=HTMLResponse)
def confirmation_page(request: Request, token: str = "") -> HTMLResponse:
    """What the link claims (404 page for an unknown or used link)."""
    with get_db(request).read() as session:
        claim = email_verification.pending_claim(session, token)
    return page(request, "email_verification.html", None, claim=claim, token=token, confirmed=False)


@router.post(PATH, response_class=HTMLResponse)
def confirm(request: Request, token: Annotated[str, Form(max_length=200)] = "") -> HTMLResponse:
    """Confirm the claim: the address's mail goes to the organization from now on."""
    with get_db(request).transaction() as session:
        claim = email_verification.confirm_claim(session, token)
    return page(request, "email_verification.html", None, claim=claim, confirmed=True)
