"""The shift-template document (``helpline schedule --shifts`` and the API's ``shifts``), validated.

The document format (see the README's "Shift templates" section)::

    understaffing_penalty: 1000        # optional, per agent short per interval
    wraps_around: true                 # optional, the week repeats (shifts may run into Monday)
    templates:
      - name: full
        length: 8h30m                  # or minutes as an integer
        starts: {from: "06:00", to: "14:00", every: 30m}   # or a list of "HH:MM"
        days: [mon, tue, wed, thu, fri]                     # optional, default every day
        cost_per_paid_hour: 20         # optional, default 1
        may_cross_midnight: false      # optional, default true
        group: voice                   # optional, default "default"
        max_shifts: 120                # optional, cap over the horizon
        weekly_pattern: {days_worked: 5, min_consecutive_days_off: 2}   # optional: weekly tours
        breaks:
          - {name: lunch, duration: 30m, paid: false, window: [3h, 5h]}
          - {name: break, duration: 15m, paid: true, window: [5h30m, 7h]}

:class:`ShiftTemplatesDocument` is the one model of it: the CLI validates files with it and the API
request bodies, so both refuse the same values with the same message naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    Tag,
    model_validator,
)

from helpline.documents import Document, core_checked, invalid, validate
from helpline.domain.hours import WEEKDAYS
from helpline.errors import InvalidInput
from helpline.wfm.scheduling.model import (
    ALL_DAYS,
    BreakRule,
    ScheduleInputError,
    ShiftTemplate,
    WeeklyPattern,
)

DAY_NAMES = WEEKDAYS
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def _minutes(value: object) -> int:
    """``90``, ``"90"``, ``"1h30m"``, ``"8h"`` or ``"45m"`` -> minutes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value)
        match = _DURATION.match(value)
        if match and (match.group(1) or match.group(2)):
            return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    raise invalid(f"expected a duration like 8h, 30m or 1h30m, got {value!r}")


def _clock(value: object) -> int:
    """``"08:30"`` -> minutes after midnight (``"24:00"`` is not a start time)."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise invalid(f"expected a time HH:MM, got {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise invalid(f"{value!r} is not a time of day")
    return hours * 60 + minutes


def _day(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower()[:3] in DAY_NAMES:
        return DAY_NAMES.index(value.strip().lower()[:3])
    raise invalid("expected a day (mon..sun or 0..6)")


Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60), BeforeValidator(_minutes)]
Clock = Annotated[int, Field(ge=0, le=24 * 60), BeforeValidator(_clock)]
Day = Annotated[int, Field(ge=0, le=6), BeforeValidator(_day)]


def parse_minutes(value: object, where: str) -> int:
    """A duration (see :data:`Minutes`) -> minutes; raises ScheduleInputError naming ``where``."""
    try:
        return _minutes(value)
    except ValueError as error:
        raise ScheduleInputError(f"{where}: {error}") from None


class StartRange(Document):
    """Start times ``from`` .. ``to`` (inclusive), ``every`` minutes apart."""

    first: Clock = Field(default=0, alias="from")
    to: Clock = 23 * 60 + 59
    every: Minutes = 30

    @model_validator(mode="after")
    def _ordered(self) -> StartRange:
        if self.every <= 0 or self.to < self.first:
            raise invalid("need every > 0 and from <= to")
        return self


class BreakDocument(Document):
    name: str = Field(default="break", max_length=100)
    duration: Minutes
    paid: bool = False
    window: tuple[Minutes, Minutes] = Field(description="[earliest, latest] after shift start")
    step: Minutes | None = None

    def rule(self) -> BreakRule:
        return BreakRule(
            self.name, self.duration, self.window[0], self.window[1], self.paid, self.step
        )


class WeeklyPatternDocument(Document):
    days_worked: int = Field(default=5, ge=0, le=7)
    min_consecutive_days_off: int = Field(default=0, ge=0, le=7)


def _starts_kind(value: Any) -> str:
    return "(range)" if isinstance(value, dict | StartRange) else "(list)"


class TemplateDocument(Document):
    name: str = Field(max_length=100)
    length: Minutes
    starts: Annotated[
        Annotated[StartRange, Tag("(range)")] | Annotated[list[Clock], Tag("(list)")],
        Discriminator(_starts_kind),
    ]
    days: Annotated[list[Day] | None, BeforeValidator(lambda v: None if v == "all" else v)] = None
    breaks: Annotated[list[BreakDocument], BeforeValidator(lambda v: v or [])] = Field(
        default_factory=list
    )
    group: str = Field(default="default", max_length=200)
    cost_per_paid_hour: float = Field(default=1.0, le=1e9)
    may_cross_midnight: bool = True
    weekly_pattern: WeeklyPatternDocument | None = None
    max_shifts: int | None = Field(default=None, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _core_checks(self) -> TemplateDocument:
        core_checked(self.template)
        return self

    def template(self) -> ShiftTemplate:
        """The core's template (its constructor checks lengths, windows and start times)."""
        starts = self.starts
        pattern = self.weekly_pattern
        return ShiftTemplate(
            name=self.name,
            length_minutes=self.length,
            start_minutes=tuple(
                range(starts.first, starts.to + 1, starts.every)
                if isinstance(starts, StartRange)
                else starts
            ),
            days=ALL_DAYS if self.days is None else tuple(sorted(set(self.days))),
            breaks=tuple(b.rule() for b in self.breaks),
            group=self.group,
            cost_per_paid_hour=self.cost_per_paid_hour,
            may_cross_midnight=self.may_cross_midnight,
            weekly_pattern=None if pattern is None else WeeklyPattern(**pattern.model_dump()),
            max_shifts=self.max_shifts,
        )


def _not_empty(templates: list[TemplateDocument]) -> list[TemplateDocument]:
    if not templates:
        raise invalid("at least one shift template is needed")
    return templates


class ShiftTemplatesDocument(Document):
    """The templates and the scheduling options (the module docstring shows the format)."""

    templates: Annotated[list[TemplateDocument], AfterValidator(_not_empty)]
    understaffing_penalty: float = Field(default=1000.0, ge=0, allow_inf_nan=False)
    wraps_around: bool = True
    _as_written: Any = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_as_written(
        cls, data: Any, handler: ModelWrapValidatorHandler[ShiftTemplatesDocument]
    ) -> ShiftTemplatesDocument:
        document = handler(data)
        document._as_written = data
        return document

    @property
    def as_written(self) -> Any:
        """The document as given (``8h``, not 480): what a schedule stores of its inputs."""
        return self._as_written

    def settings(self) -> ShiftSettings:
        return ShiftSettings(
            tuple(t.template() for t in self.templates),
            self.understaffing_penalty,
            self.wraps_around,
        )


@dataclass(frozen=True)
class ShiftSettings:
    """What a shift-template document holds: the templates and the scheduling options."""

    templates: tuple[ShiftTemplate, ...]
    understaffing_penalty: float = 1000.0
    wraps_around: bool = True


def shift_settings_from_data(data: object) -> ShiftSettings:
    """Validate a parsed shift-template document; raises ScheduleInputError naming the field."""
    try:
        return validate(ShiftTemplatesDocument, data, "shift templates").settings()
    except InvalidInput as error:
        raise ScheduleInputError(str(error)) from None
