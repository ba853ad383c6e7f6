"""Request and response bodies of the REST API (pydantic stays at this boundary)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    model_validator,
)

from helpline.documents import Count
from helpline.domain.enums import (
    Channel,
    ContactState,
    Direction,
    IdentityKind,
    Role,
)
from helpline.http.config_schemas import (
    CLOCK as CLOCK,
)

# The configuration bodies are shared with the configuration pages; the API exposes them here.
from helpline.http.config_schemas import (
    AgentIn as AgentIn,
)
from helpline.http.config_schemas import (
    AgentOut as AgentOut,
)
from helpline.http.config_schemas import (
    AgentSkillIn as AgentSkillIn,
)
from helpline.http.config_schemas import (
    Body as Body,
)
from helpline.http.config_schemas import (
    Hours as Hours,
)
from helpline.http.config_schemas import (
    Id as Id,
)
from helpline.http.config_schemas import (
    Name as Name,
)
from helpline.http.config_schemas import (
    ProfileChannel as ProfileChannel,
)
from helpline.http.config_schemas import (
    ProfileQueue as ProfileQueue,
)
from helpline.http.config_schemas import (
    QueueIn as QueueIn,
)
from helpline.http.config_schemas import (
    QueueOut as QueueOut,
)
from helpline.http.config_schemas import (
    RoutingProfileIn as RoutingProfileIn,
)
from helpline.http.config_schemas import (
    RoutingProfileOut as RoutingProfileOut,
)
from helpline.http.config_schemas import (
    RoutingStep as RoutingStep,
)
from helpline.http.config_schemas import (
    SkillIn as SkillIn,
)
from helpline.http.config_schemas import (
    SkillOut as SkillOut,
)
from helpline.http.config_schemas import (
    SkillRequirement as SkillRequirement,
)
from helpline.http.config_schemas import (
    TeamIn as TeamIn,
)
from helpline.http.config_schemas import (
    TeamOut as TeamOut,
)
from helpline.http.config_schemas import (
    TimeSpan as TimeSpan,
)
from helpline.http.config_schemas import (
    WrapUpCodeIn as WrapUpCodeIn,
)
from helpline.http.config_schemas import (
    WrapUpCodeOut as WrapUpCodeOut,
)
from helpline.http.config_schemas import (
    partial as partial,
)
from helpline.http.hardening import BoundedObject
from helpline.wfm.rostering.profiles import ContractRules
from helpline.wfm.scheduling.templates import ShiftTemplatesDocument


class UserIn(Body):
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
    display_name: Name
    role: Role
    password: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description="At least 12 characters, not the email or name, not a common password",
        ),
    ]


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool
    two_factor_enabled: bool = Field(
        default=False, description="Logs in with a TOTP code after the password"
    )


class ApiKeyIn(Body):
    name: Name
    role: Role


class ApiKeyOut(BaseModel):
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="The secret; shown only in this response")


class OrganizationOut(BaseModel):
    id: int
    name: str
    time_zone: str
    country: str


class LoginIn(Body):
    email: Annotated[str, Field(min_length=3, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


# --- customers and contacts -------------------------------------------------------------------


class Identities(Body):
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    chat: str | None = Field(default=None, max_length=320)
    social: str | None = Field(default=None, max_length=320)

    def as_mapping(self) -> dict[IdentityKind, str]:
        return {
            IdentityKind(k): v for k, v in self.model_dump(exclude_none=True).items() if v != ""
        }


class CustomerIn(Body):
    display_name: str = Field(default="", max_length=200)
    identities: Identities = Field(default_factory=Identities)


class CustomerPatch(Body):
    display_name: str | None = Field(default=None, max_length=200)
    identities: Identities = Field(
        default_factory=Identities, description="Identities to add to the customer"
    )


class CustomerOut(BaseModel):
    id: int
    display_name: str
    created_at: datetime
    identities: dict[str, list[str]]
    merged_into_id: int | None = Field(
        default=None, description="Set when this record was merged away: the surviving customer"
    )


class ContactIn(Body):
    channel: Channel
    direction: Direction = Direction.INBOUND
    queue_id: Id | None = None
    customer_id: Id | None = None
    customer: CustomerIn | None = Field(
        default=None, description="Who is contacting; matched to a known customer by any identity"
    )
    priority: int = Field(default=5, ge=1, le=10, description="1 is most urgent")
    subject: str = Field(default="", max_length=500)
    attributes: BoundedObject = Field(
        default_factory=dict, description="Your own data about the contact (at most 16 KiB as JSON)"
    )
    message: str | None = Field(default=None, max_length=100_000, description="First message")
    routing_steps: list[RoutingStep] = Field(
        default_factory=list, description="Criteria for this contact only; default: the queue's"
    )
    age_adjustment_seconds: float = Field(
        default=0.0, ge=0, le=86_400, description="Place in line as if it had waited this long more"
    )

    @model_validator(mode="after")
    def _one_customer(self) -> ContactIn:
        if self.customer_id is not None and self.customer is not None:
            raise ValueError("give customer_id or customer, not both")
        return self


class MessageOut(BaseModel):
    id: int
    direction: str
    sender: str
    body: str
    created_at: datetime


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int


class ContactMessageOut(MessageOut):
    contact_id: int
    channel: Channel
    subject: str
    external_id: str | None
    headers: dict[str, Any]
    delivery_status: str | None = Field(
        description="Outbound only: queued, sent, delivered or failed"
    )
    delivery_error: str
    attachments: list[AttachmentOut]


class ReplyIn(Body):
    body: str = Field(min_length=1, max_length=100_000)
    subject: str = Field(default="", max_length=500, description="Default: the contact's subject")


class ContactOut(BaseModel):
    id: int
    customer_id: int | None
    channel: Channel
    direction: Direction
    queue_id: int | None
    agent_id: int | None
    priority: int
    state: ContactState
    subject: str
    attributes: dict[str, Any]
    wrap_up_code_id: int | None
    notes: str
    created_at: datetime
    queued_at: datetime | None
    connected_at: datetime | None
    ended_at: datetime | None
    closed_at: datetime | None


class ContactPage(BaseModel):
    items: list[ContactOut]
    next_after_id: int | None = Field(
        description="Pass as after_id for the next page; null at the end"
    )


class EventOut(BaseModel):
    sequence: int
    type: str
    contact_id: int | None
    agent_id: int | None
    actor: str
    occurred_at: datetime
    payload: dict[str, Any]


class EventPage(BaseModel):
    events: list[EventOut]
    last_sequence: int = Field(description="Pass as after= to continue")


# --- ACD operations ---------------------------------------------------------------------------


class AgentStateIn(Body):
    state: str = Field(max_length=32, description="available, not_ready or offline")
    reason: str | None = Field(
        default=None, max_length=64, description="Why not ready: break, lunch, meeting, training..."
    )


class AgentStateOut(BaseModel):
    agent_id: int
    state: str = Field(description="offline, available, reserved, busy, acw or not_ready")
    status: str = Field(description="What the agent chose: available, not_ready or offline")
    reason: str | None
    idle_since: datetime | None
    contact_ids: list[int]


class OfferOut(BaseModel):
    contact: ContactOut
    expires_at: datetime


class AgentChoice(Body):
    agent_id: Id | None = Field(
        default=None, description="The agent acting (default: the caller's own agent)"
    )


class TransferIn(Body):
    queue_id: Id | None = None
    agent_id: Id | None = None
    mode: Literal["blind", "consult"] = "blind"


class TransferOut(BaseModel):
    contact: ContactOut
    consult_contact_id: int | None = Field(description="The consult leg of a warm transfer")


class WrapUpIn(Body):
    wrap_up_code_id: Id
    notes: str = Field(default="", max_length=10_000)


class CallbackIn(Body):
    phone: str | None = Field(default=None, max_length=64, description="Default: the customer's")


class CallbackOut(BaseModel):
    callback_contact_id: int


# --- forecasts and the calendar -----------------------------------------------------------------


class HistoryPointIn(Body):
    timestamp: datetime = Field(description="Local interval start in the organization's time zone")
    volume: float = Field(ge=0)
    aht_seconds: float | None = Field(default=None, ge=0)


class ForecastIn(Body):
    queue_id: Id | None = Field(default=None, description="Null: the whole organization")
    name: str = Field(default="", max_length=200)
    interval_minutes: Literal[15, 30, 60] = 30
    horizon_days: int = Field(default=7, ge=1, le=42)
    start: datetime | None = Field(
        default=None, description="First interval (with time zone); default: next local midnight"
    )
    coverage: float = Field(default=0.8, gt=0, lt=1, description="Prediction interval coverage")
    history: list[HistoryPointIn] = Field(
        default_factory=list,
        max_length=200_000,
        description="Upload a history instead of using the queue's stored contacts",
    )


class ForecastSummary(BaseModel):
    id: int
    queue_id: int | None
    name: str
    status: str = Field(description="draft, published or superseded")
    source: str = Field(description="history (stored contacts) or upload")
    interval_minutes: int
    starts_at: datetime
    horizon_minutes: int
    coverage: float
    model: str
    accuracy: dict[str, Any] = Field(description="Backtest accuracy of the chosen model and others")
    created_at: datetime
    published_at: datetime | None


class ForecastOut(ForecastSummary):
    series: dict[str, Any] = Field(
        description="timestamps (UTC interval starts), volume, lower, upper, aht_seconds"
    )


class ForecastAccuracyOut(BaseModel):
    intervals: int = Field(description="Intervals of the forecast already past")
    actual: float
    forecast: float
    wape: float | None
    bias: float | None


class CalendarEventIn(Body):
    name: Name
    starts_at: datetime
    ends_at: datetime
    volume_multiplier: float = Field(default=1.0, ge=0, le=100, description="0 = closed")
    queue_id: Id | None = None


class CalendarEventOut(CalendarEventIn):
    id: int


# --- schedules, rosters and adherence ------------------------------------------------------------


class StaffingTargetIn(Body):
    service_level: float | None = Field(
        default=None, gt=0, lt=1, description="Default: the queue's target, e.g. 0.8"
    )
    answer_time_seconds: float | None = Field(
        default=None, gt=0, description="Default: the queue's"
    )
    aht_seconds: float = Field(
        default=300.0, gt=0, description="AHT where the forecast has none, seconds"
    )
    shrinkage: float = Field(default=0.3, ge=0, lt=1, description="Breaks, meetings, absence")
    patience_seconds: float | None = Field(
        default=None, gt=0, description="Mean caller patience: staff with Erlang A"
    )


ContractIn = ContractRules


class FairnessIn(Body):
    """How evenly the roster spreads weekends and nights: weights on squares, 0 turns one off."""

    weekend_days_squared: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Charged per agent on the square of the weekend days worked",
    )
    night_shifts_squared: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Charged per agent on the square of the night shifts worked (a night shift "
        "has 3 h or more between 22:00 and 06:00 local time)",
    )


class ScheduleGroupIn(Body):
    """One queue or skill group of a schedule: shift templates name it in their `group`."""

    name: Name
    queue_id: Id | None = Field(
        default=None,
        description="The queue the group serves: its required skills decide who may work it, "
        "and without requirements its published forecast gives them",
    )
    skill_ids: list[Id] = Field(
        default_factory=list, max_length=20, description="Skills every agent of the group needs"
    )
    requirements: list[Count] | None = Field(
        default=None,
        max_length=7 * 96,
        description="Agents required per interval of the week, from Monday 00:00 local time",
    )


class ScheduleIn(Body):
    week_start: date = Field(description="The Monday the week starts, in the organization's zone")
    shifts: ShiftTemplatesDocument = Field(
        description="Shift templates in the `helpline schedule` YAML format (README): "
        "{templates: [{name, length, starts, days, breaks, ...}], understaffing_penalty, wraps_around}"
    )
    queue_id: Id | None = Field(
        default=None, description="Without requirements: schedule from its published forecast"
    )
    name: str = Field(default="", max_length=200)
    interval_minutes: Literal[15, 30, 60] | None = Field(
        default=None, description="Default: the forecast's interval, or 30"
    )
    requirements: list[Count] | None = Field(
        default=None,
        max_length=7 * 96,
        description="Agents required per interval of the week, from Monday 00:00 local time",
    )
    groups: list[ScheduleGroupIn] | None = Field(
        default=None,
        max_length=20,
        description="Several queues or skill groups in one schedule (instead of queue_id and "
        "requirements): each has its requirement, and agents are rostered to the shifts of the "
        "groups their skills allow",
    )
    staffing: StaffingTargetIn = Field(default_factory=StaffingTargetIn)
    contract: ContractIn = Field(
        default_factory=ContractIn,
        description="The rules of agents without a rostering profile of their own",
    )
    fairness: FairnessIn = Field(default_factory=FairnessIn)
    time_limit_seconds: float = Field(default=10.0, gt=0, le=120)
    objective: Literal["requirement", "service_level"] = Field(
        default="requirement",
        description="requirement: cover the agents required per interval at minimum cost; "
        "service_level (with a forecast): meet the service-level target over the whole week's "
        "calls at minimum cost, on Erlang C curves",
    )


class ScheduleSummaryOut(BaseModel):
    id: int
    queue_id: int | None
    name: str
    week_start: date
    starts_at: datetime
    interval_minutes: int
    version: int
    status: str = Field(description="draft, published or superseded")
    summary: dict[str, Any] = Field(
        description="paid_hours, cost, lp_bound, gap, is_proven_optimal, understaffed_intervals, "
        "shortfalls, predicted_service_level, roster (agents rostered, unfilled shifts, gap), notes"
    )
    created_by: str
    created_at: datetime
    published_at: datetime | None


class ActivityOut(BaseModel):
    agent_id: int
    kind: str = Field(description="work, break, lunch, meeting, training")
    template: str
    starts_at: datetime
    ends_at: datetime


class ScheduleOut(ScheduleSummaryOut):
    inputs: dict[str, Any]
    coverage: dict[str, Any] = Field(
        description="timestamps (UTC interval starts), calls, required, scheduled, understaffed, "
        "overstaffed, service_level per interval"
    )
    activities: list[ActivityOut] = Field(description="The roster, by agent and time")


class AdherenceExceptionIn(Body):
    agent_id: Id
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(min_length=1, max_length=500)


class AdherenceExceptionOut(AdherenceExceptionIn):
    id: int
    approved_by: str
    created_at: datetime


class AdherenceOut(BaseModel):
    agent_id: int | None = Field(description="Set when grouped by agent")
    team_id: int | None = Field(description="Set when grouped by team (null: agents without team)")
    name: str
    measured_minutes: int
    adherent_minutes: int
    excused_minutes: int
    scheduled_work_minutes: int
    worked_minutes: int
    adherence_percent: float | None
    conformance_percent: float | None


class OutOfAdherenceOut(BaseModel):
    agent_id: int
    name: str
    team_id: int | None
    expected: str = Field(description="The scheduled activity: work, break, lunch, ... or off")
    state: str
    reason: str | None
    since: datetime
    minutes: int


class IntradayIntervalOut(BaseModel):
    starts_at: datetime
    is_completed: bool = Field(description="The interval has ended: its volume is the actual")
    forecast: float = Field(description="The published forecast")
    actual: float = Field(description="Contacts that entered the queue so far")
    volume: float = Field(description="Actual for completed intervals, re-forecast for the rest")
    required_agents: float
    scheduled_agents: float = Field(description="On duty per the published schedules")
    gap: float = Field(description="Scheduled minus required (negative: short)")
    service_level: float = Field(description="Predicted with the scheduled agents")


class IntradayActionOut(BaseModel):
    starts_at: datetime
    action: str = Field(description="move_breaks, offer_overtime or offer_voluntary_time_off")
    agents: float
    to_starts_at: datetime | None = Field(description="Where breaks move to")


class IntradayOut(BaseModel):
    queue_id: int
    forecast_id: int
    interval_minutes: int
    method: str = Field(description="How the rest of the day was re-forecast")
    staffing_model: Literal["erlang_a", "erlang_c"] = Field(
        description="erlang_a: required agents allow for callers abandoning with the patience "
        "estimated from the queue's history; erlang_c: too few abandonments, no abandonment assumed"
    )
    patience_seconds: float | None = Field(
        description="Mean patience (exponential fit to the censored waits of the 8 weeks before "
        "today), seconds; null with erlang_c"
    )
    patience_abandonments: int | None = Field(
        description="Abandoned contacts (observed patiences) the estimate rests on; null with erlang_c"
    )
    patience_answered: int | None = Field(
        description="Answered contacts (waits censored by the answer) the estimate rests on; null "
        "with erlang_c"
    )
    intervals: list[IntradayIntervalOut]
    actions: list[IntradayActionOut]


# --- email addresses ------------------------------------------------------------------------

EmailAddressText = Annotated[
    str,
    Field(min_length=3, max_length=320, pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$"),
    AfterValidator(str.lower),
]


class EmailAddressFields(Body):
    address: EmailAddressText = Field(
        description="Where customers write (stored lower-case). Its mail is routed here only once "
        "verified: a confirmation link is emailed to the address when it is set"
    )
    queue_id: Id = Field(description="The email queue new contacts of this address wait in")
    display_name: str = Field(default="", max_length=200, description="Name on replies' From")
    acknowledges_new_contacts: bool = Field(
        default=True, description="Answer a new contact's first email with its reference"
    )
    imap_host: str = Field(
        default="", max_length=255, description="Poll this IMAP server's mailbox (empty: do not)"
    )
    imap_port: int = Field(default=993, ge=1, le=65_535)
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_username: str = Field(default="", max_length=320)
    imap_folder: str = Field(default="INBOX", min_length=1, max_length=200)
    poll_interval_seconds: int = Field(default=60, ge=1, le=86_400)


class EmailAddressIn(EmailAddressFields):
    imap_password: str = Field(
        default="", max_length=500, description="Write-only: never returned by the API"
    )


class EmailAddressOut(EmailAddressFields):
    id: int
    queue_id: int | None  # type: ignore[assignment]  # None once its queue is deleted
    imap_password_is_set: bool = Field(description="Whether a mailbox password is stored")
    is_verified: bool = Field(
        description="Whether someone reading the address confirmed it (its mail is routed here)"
    )
