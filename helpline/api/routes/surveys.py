"""Post-contact surveys: settings, issuing one for a closed contact, listing answers, and the public
page where the customer answers by link (no login)."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from helpline.config import Settings
from helpline.errors import InvalidInput
from helpline.http.bounds import Id, PathId
from helpline.http.config_schemas import Body
from helpline.http.deps import DB, CurrentActor, Now, get_settings
from helpline.services import records
from helpline.services.reporting import surveys

router = APIRouter(tags=["Surveys"])
public_router = APIRouter(prefix="/public/surveys", tags=["Surveys"])
SurveyToken = Annotated[str, Path(max_length=100, description="The token of the survey's link")]


class SurveySettingsBody(Body):
    """Which questions surveys ask, the CES scale (1 to ``ces_scale_max``) and how long links live."""

    asks_csat: bool = True
    asks_nps: bool = True
    asks_ces: bool = True
    ces_scale_max: int = Field(7, ge=3, le=10)
    expires_after_hours: int = Field(168, ge=1, le=surveys.MAX_EXPIRY_HOURS)


class IssueSurveyIn(Body):
    """``link``: return the link only; ``channel``: also record it as an outbound message."""

    delivery: surveys.Delivery = surveys.Delivery.LINK


class QuestionOut(BaseModel):
    """A survey question and its scale (whole numbers from ``scale_min`` to ``scale_max``)."""

    name: str
    scale_min: int
    scale_max: int
    text: str


class IssuedSurveyOut(BaseModel):
    """A new survey; ``link`` (shown once) is the path of the public page, holding the token."""

    survey_id: int
    contact_id: int
    agent_id: int | None
    delivery: str
    link: str
    expires_at: datetime
    questions: list[QuestionOut]


class SurveyAnswerOut(BaseModel):
    """One answered question, linked to the contact and its agent."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    survey_id: int
    contact_id: int
    agent_id: int | None
    question: str
    score: int
    scale_max: int
    answered_at: datetime


@router.get("/survey-settings", response_model=SurveySettingsBody, summary="Survey settings")
def read_settings(actor: CurrentActor, db: DB) -> dict[str, Any]:
    """The organization's survey settings (defaults until saved)."""
    with db.transaction() as session:
        return vars(surveys.get_settings(session, actor))


@router.put("/survey-settings", response_model=SurveySettingsBody, summary="Save survey settings")
def save_settings(
    body: SurveySettingsBody, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    """Replace the survey settings (managers); surveys issued earlier keep their questions."""
    with db.transaction() as session:
        saved = surveys.save_settings(session, actor, surveys.Settings(**body.model_dump()), now)
    return vars(saved)


@router.post(
    "/contacts/{contact_id}/survey",
    response_model=IssuedSurveyOut,
    status_code=201,
    summary="Issue the post-contact survey of a closed contact",
)
def issue_survey(
    request: Request,
    actor: CurrentActor,
    db: DB,
    now: Now,
    settings: Annotated[Settings, Depends(get_settings)],
    contact_id: PathId,
    body: IssueSurveyIn | None = None,
) -> dict[str, Any]:
    """409 unless the contact is closed and has no survey yet. With `delivery=channel` the link is
    also recorded as an outbound message on the contact, for its channel to deliver."""
    delivery = (body or IssueSurveyIn()).delivery
    with db.transaction() as session:
        base_url = settings.public_url or str(request.base_url)
        issued = surveys.issue_survey(session, actor, contact_id, delivery, now, base_url=base_url)
        survey = issued.survey
        return {
            "survey_id": survey.id,
            "contact_id": survey.contact_id,
            "agent_id": survey.agent_id,
            "delivery": survey.delivery,
            "link": issued.link,
            "expires_at": survey.expires_at,
            "questions": survey.questions,
        }


@router.get("/survey-answers", response_model=list[SurveyAnswerOut], summary="List survey answers")
def list_answers(
    actor: CurrentActor,
    db: DB,
    contact_id: Annotated[Id | None, Query()] = None,
    agent_id: Annotated[Id | None, Query()] = None,
    limit: int = Query(1000, ge=1, le=10_000),
) -> list[records.SurveyAnswer]:
    """Newest first; optionally one contact's and/or one agent's."""
    with db.transaction() as session:
        return surveys.list_answers(session, actor, contact_id, agent_id, limit)


def _form(token: str, questions: list[dict[str, Any]]) -> str:
    fields = []
    for question in questions:
        name = html.escape(str(question["name"]))
        low, high = int(question["scale_min"]), int(question["scale_max"])
        options = "".join(
            f'<label><input type="radio" name="{name}" value="{score}"> {score}</label> '
            for score in range(low, high + 1)
        )
        fields.append(
            f"<fieldset><legend>{html.escape(question['text'])}</legend>{options}</fieldset>"
        )
    action = html.escape(surveys.PUBLIC_PATH + token)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Survey</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto">'
        f'<h1>How did we do?</h1><form method="post" action="{action}">{"".join(fields)}'
        '<p><button type="submit">Send</button></p></form></body></html>'
    )


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


@public_router.get("/{token}", summary="A survey, for the customer (no login)")
def show_survey(request: Request, db: DB, now: Now, token: SurveyToken) -> Response:
    """The questions as JSON, or a small HTML form for browsers (`Accept: text/html`).
    404 when the link is unknown or expired, 409 when already answered."""
    with db.transaction() as session:
        survey = surveys.open_survey(session, token, now)
        questions = list(survey.questions)
        expires_at = survey.expires_at
    if _wants_html(request):
        return HTMLResponse(_form(token, questions))
    return JSONResponse({"questions": questions, "expires_at": expires_at.isoformat()})


async def _answers(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(errors="replace")))
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise InvalidInput("body", 'send JSON such as {"csat": 5} or a form') from None
    if not isinstance(body, dict):
        raise InvalidInput("body", "send an object of question: score")
    return body


@public_router.post("/{token}", summary="Answer a survey (no login; once)")
async def answer_survey(request: Request, db: DB, now: Now, token: SurveyToken) -> Response:
    """JSON `{"csat": 5, "nps": 9, "ces": 2}` or the HTML form's fields; unanswered questions may
    be left out. 422 names a bad field, 409 when already answered, 404 unknown or expired."""
    answers = await _answers(request)

    def record() -> list[str]:
        with db.transaction() as session:
            return [row.question for row in surveys.answer_survey(session, token, answers, now)]

    recorded = await run_in_threadpool(record)
    if _wants_html(request):
        return HTMLResponse("<!doctype html><p>Thank you for your answers.</p>", status_code=201)
    return JSONResponse({"answered": recorded}, status_code=201)
