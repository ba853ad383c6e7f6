"""Post-contact surveys: CSAT (1-5), NPS (0-10) and CES (1 to a configured maximum).

A survey is issued for a closed contact and reaches the customer by a link (an unguessable random
token; only its SHA-256 hash is stored, like login sessions) or as an outbound message on the
contact's channel carrying that link (the channel adapters deliver it). The customer answers once,
without logging in, before it expires. Each answered question is stored, linked to the contact and
its agent, and written as a ``SurveyAnswered`` event, which the CSAT, NPS and CES definitions of
``helpline.analytics`` read (``docs/metrics.md``).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from helpline.domain.enums import ContactState, Role
from helpline.errors import Conflict, InvalidInput, NotFound
from helpline.services.access import access_contact, any_member, owned, owned_by, requires
from helpline.services.actor import Actor
from helpline.services.conversations.messaging import queue_message
from helpline.storage.events import append_event
from helpline.storage.tables import Survey, SurveyAnswer, SurveySettings

SETTINGS_ROLES = (Role.MANAGER,)
ISSUE_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.AGENT)
READ_ROLES = (Role.MANAGER, Role.SUPERVISOR, Role.QA_ANALYST)
PUBLIC_PATH = "/api/v1/public/surveys/"
"""Where a survey link points (followed by the token); no login needed there."""
CES_SCALES = range(3, 11)
"""CES scales an organization may choose: 1 to 3 .. 1 to 10 (1 = very easy)."""
MAX_EXPIRY_HOURS = 24 * 90


class Delivery(enum.StrEnum):
    """How a survey reaches the customer."""

    LINK = "link"  # the caller passes the returned link on
    CHANNEL = "channel"  # an outbound message on the contact's channel carries the link


@dataclass(frozen=True)
class Question:
    """One survey question: ``name`` is csat, nps or ces; answers are whole numbers in the scale."""

    name: str
    scale_min: int
    scale_max: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The question as stored on a survey and shown to the customer."""
        return {
            "name": self.name,
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "text": self.text,
        }


@dataclass(frozen=True)
class Settings:
    """An organization's survey settings (defaults until it saves its own)."""

    asks_csat: bool = True
    asks_nps: bool = True
    asks_ces: bool = True
    ces_scale_max: int = 7
    expires_after_hours: int = 168

    def questions(self) -> list[Question]:
        """The enabled questions, in the order the customer sees them."""
        questions = []
        if self.asks_csat:
            questions.append(Question("csat", 1, 5, "How satisfied are you with our help?"))
        if self.asks_nps:
            questions.append(
                Question("nps", 0, 10, "How likely are you to recommend us to a friend?")
            )
        if self.asks_ces:
            text = f"How easy was it to get your issue resolved? (1 = very easy, {self.ces_scale_max} = very hard)"
            questions.append(Question("ces", 1, self.ces_scale_max, text))
        return questions


@any_member
def get_settings(session: Session, actor: Actor) -> Settings:
    """The survey settings of the actor's organization."""
    row = session.get(SurveySettings, actor.organization_id)
    if row is None:
        return Settings()
    return Settings(
        asks_csat=row.asks_csat,
        asks_nps=row.asks_nps,
        asks_ces=row.asks_ces,
        ces_scale_max=row.ces_scale_max,
        expires_after_hours=row.expires_after_hours,
    )


@requires(*SETTINGS_ROLES)
def save_settings(session: Session, actor: Actor, settings: Settings, now: datetime) -> Settings:
    """Replace the organization's survey settings (managers); InvalidInput names a bad field."""
    if settings.ces_scale_max not in CES_SCALES:
        raise InvalidInput("ces_scale_max", "must be between 3 and 10")
    if not 1 <= settings.expires_after_hours <= MAX_EXPIRY_HOURS:
        raise InvalidInput("expires_after_hours", f"must be between 1 and {MAX_EXPIRY_HOURS}")
    if not settings.questions():
        raise InvalidInput("asks_csat", "enable at least one question")
    row = session.get(SurveySettings, actor.organization_id)
    if row is None:
        row = SurveySettings(organization_id=actor.organization_id)
        session.add(row)
    row.asks_csat, row.asks_nps, row.asks_ces = (
        settings.asks_csat,
        settings.asks_nps,
        settings.asks_ces,
    )
    row.ces_scale_max = settings.ces_scale_max
    row.expires_after_hours = settings.expires_after_hours
    append_event(
        session,
        actor.organization_id,
        "SurveySettingsChanged",
        occurred_at=now,
        actor=actor.label,
        payload={
            "asks_csat": settings.asks_csat,
            "asks_nps": settings.asks_nps,
            "asks_ces": settings.asks_ces,
            "ces_scale_max": settings.ces_scale_max,
            "expires_after_hours": settings.expires_after_hours,
        },
    )
    return settings


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSurvey:
    """A new survey and its link (the token is shown here only)."""

    survey: Survey
    token: str
    base_url: str = ""
    """The server's public address (``https://helpline.example.com``); empty: the link is a path."""

    @property
    def link(self) -> str:
        """Where the customer answers: the public survey page of this token."""
        return self.base_url.rstrip("/") + PUBLIC_PATH + self.token


@requires(*ISSUE_ROLES)
def issue_survey(
    session: Session,
    actor: Actor,
    contact_id: int,
    delivery: Delivery,
    now: datetime,
    *,
    base_url: str = "",
) -> IssuedSurvey:
    """Issue the survey of a closed contact: Conflict unless it is closed and has none yet.

    With ``Delivery.CHANNEL`` the link is sent as a message on the contact's channel (queued for the
    outbox like a reply; Conflict for a channel that carries no text, such as voice).
    """
    contact = access_contact(session, actor, contact_id)
    if contact.state != ContactState.CLOSED.value:
        raise Conflict(f"contact {contact_id} is {contact.state}; survey closed contacts only")
    existing = session.scalar(
        select(Survey.id).where(owned_by(actor, Survey), Survey.contact_id == contact_id)
    )
    if existing is not None:
        raise Conflict(f"contact {contact_id} already has survey {existing}")
    settings = get_settings(session, actor)
    token = secrets.token_urlsafe(32)
    survey = Survey(
        organization_id=actor.organization_id,
        contact_id=contact.id,
        agent_id=contact.agent_id,
        token_hash=_hash(token),
        questions=[question.as_dict() for question in settings.questions()],
        delivery=delivery.value,
        created_at=now,
        expires_at=now + timedelta(hours=settings.expires_after_hours),
        answered_at=None,
    )
    session.add(survey)
    session.flush()
    issued = IssuedSurvey(survey, token, base_url)
    if delivery is Delivery.CHANNEL:
        queue_message(
            session,
            actor,
            contact,
            f"How did we do? Please answer our short survey: {issued.link}",
            subject="How did we do?",
            sender="survey",
            now=now,
        )
    append_event(
        session,
        actor.organization_id,
        "SurveyIssued",
        occurred_at=now,
        actor=actor.label,
        contact_id=contact.id,
        agent_id=contact.agent_id,
        payload={
            "survey_id": survey.id,
            "delivery": delivery.value,
            "expires_at": survey.expires_at,
        },
    )
    return issued


def open_survey(session: Session, token: str, now: datetime) -> Survey:
    """The unanswered, unexpired survey of ``token``: NotFound when unknown or expired, Conflict
    when already answered."""
    survey = session.scalar(select(Survey).where(Survey.token_hash == _hash(token)))
    if survey is None or survey.expires_at <= now:
        raise NotFound("this survey link is unknown or has expired")
    if survey.answered_at is not None:
        raise Conflict("this survey has already been answered")
    return survey


def _scores(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> dict[str, int]:
    """The whole-number score of each answered question; InvalidInput names a bad one."""
    known = {str(q["name"]): q for q in questions}
    for name in answers:
        if name not in known:
            raise InvalidInput(name, "this survey does not ask it")
    scores = {}
    for name, question in known.items():
        value = answers.get(name)
        if value is None or value == "":
            continue
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(name, "must be a whole number") from None
        if isinstance(value, float | bool) or str(value).strip() != str(score):
            raise InvalidInput(name, "must be a whole number")
        low, high = int(question["scale_min"]), int(question["scale_max"])
        if not low <= score <= high:
            raise InvalidInput(name, f"must be between {low} and {high}")
        scores[name] = score
    if not scores:
        raise InvalidInput(next(iter(known), "answers"), "answer at least one question")
    return scores


def answer_survey(
    session: Session, token: str, answers: Mapping[str, Any], now: datetime
) -> list[SurveyAnswer]:
    """Record the customer's answers (once): each is stored and written as ``SurveyAnswered``.

    InvalidInput names a bad or unknown question; Conflict when the survey was already answered
    (also by a concurrent request: the survey row is claimed with a conditional UPDATE).
    """
    survey = open_survey(session, token, now)
    scores = _scores(survey.questions, answers)
    claimed = session.execute(
        update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None))
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict("this survey has already been answered")
    scales = {str(q["name"]): int(q["scale_max"]) for q in survey.questions}
    rows = []
    for name, score in scores.items():
        row = SurveyAnswer(
            organization_id=survey.organization_id,
            survey_id=survey.id,
            contact_id=survey.contact_id,
            agent_id=survey.agent_id,
            question=name,
            score=score,
            scale_max=scales[name],
            answered_at=now,
        )
        session.add(row)
        append_event(
            session,
            survey.organization_id,
            "SurveyAnswered",
            occurred_at=now,
            actor="customer",
            contact_id=survey.contact_id,
            agent_id=survey.agent_id,
            payload={
                "survey_id": survey.id,
                "question": name,
                "score": score,
                "scale_max": scales[name],
            },
        )
        rows.append(row)
    session.flush()
    return rows


@requires(*READ_ROLES)
def list_answers(
    session: Session,
    actor: Actor,
    contact_id: int | None = None,
    agent_id: int | None = None,
    limit: int = 1000,
) -> list[SurveyAnswer]:
    """Survey answers of the organization, newest first, for one contact and/or agent."""
    query = owned(actor, SurveyAnswer)
    if contact_id is not None:
        query = query.where(SurveyAnswer.contact_id == contact_id)
    if agent_id is not None:
        query = query.where(SurveyAnswer.agent_id == agent_id)
    order = (SurveyAnswer.answered_at.desc(), SurveyAnswer.id)
    return list(session.scalars(query.order_by(*order).limit(limit)))
