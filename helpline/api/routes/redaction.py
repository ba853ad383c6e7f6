"""Redaction settings: which identifiers, besides payment cards, are masked in stored text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from helpline.domain.redaction import CARD_PATTERN, OPTIONAL_PATTERNS
from helpline.http.deps import DB, CurrentActor, Now
from helpline.services.identity import redaction_settings

router = APIRouter(tags=["Redaction"])


class RedactionSettingsIn(BaseModel):
    """Optional patterns to redact besides cards: ``iban``, ``us_ssn``, ``uk_nino``."""

    model_config = ConfigDict(extra="forbid")

    patterns: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=len(OPTIONAL_PATTERNS) + 1
    )


class RedactionSettingsOut(BaseModel):
    """``always``: patterns every organization redacts; ``patterns``: the ones it added;
    ``available``: every optional pattern it may add."""

    always: list[str]
    patterns: list[str]
    available: list[str]


def _settings(patterns: list[str]) -> dict[str, Any]:
    return {"always": [CARD_PATTERN], "patterns": patterns, "available": list(OPTIONAL_PATTERNS)}


@router.get(
    "/redaction-settings", response_model=RedactionSettingsOut, summary="Get redaction settings"
)
def get_redaction_settings(actor: CurrentActor, db: DB) -> dict[str, Any]:
    """Payment cards are always redacted; ``patterns`` lists what the organization added."""
    with db.transaction() as session:
        return _settings(redaction_settings.get_patterns(session, actor))


@router.put(
    "/redaction-settings", response_model=RedactionSettingsOut, summary="Set redaction settings"
)
def set_redaction_settings(
    body: RedactionSettingsIn, actor: CurrentActor, db: DB, now: Now
) -> dict[str, Any]:
    """Choose the optional patterns redacted from text stored from now on (managers); 422 naming
    ``patterns`` for an unknown name. Text stored earlier is not rewritten."""
    with db.transaction() as session:
        return _settings(redaction_settings.save_patterns(session, actor, body.patterns, now))
