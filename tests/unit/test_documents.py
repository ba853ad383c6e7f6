"""Input files and API bodies share their models: a value one refuses, the other refuses too, with the
same message naming the same field (``helpline.documents`` and the models built on it)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from helpline.api.rostering_schemas import RosteringProfileIn
from helpline.api.routes.simulations import QueueChangeIn
from helpline.api.schemas import AgentSkillIn, ProfileChannel, ProfileQueue, ScheduleIn
from helpline.cli.schedule_files import (
    InputFileError,
    read_agents,
    read_requirements,
    read_shift_settings,
)
from helpline.documents import field_path
from helpline.errors import InvalidInput
from helpline.sim import scenario_from_dict

SCENARIO = Path(__file__).resolve().parents[2] / "docs" / "scenarios" / "bank_day.yaml"
TEMPLATE = {"name": "day", "length": "8h", "starts": ["08:00"]}


def api_error(model: type[BaseModel], body: dict[str, Any]) -> str:
    """``field: message`` of the first error the API's body model gives (the 422's loc and msg)."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    first = refused.value.errors(include_url=False)[0]
    return f"{field_path(first['loc'])}: {first['msg']}"


def file_error(path: Path, read: Any) -> str:
    with pytest.raises(InputFileError) as refused:
        read(path)
    return str(refused.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"length": "eight"}, "templates[0].length"),
        ({"starts": ["25:00"]}, "templates[0].starts[0]"),
        ({"starts": {"from": "10:00", "to": "08:00"}}, "templates[0].starts"),
        ({"days": ["mon", "someday"]}, "templates[0].days[1]"),
        ({"breaks": [{"duration": "30m", "window": ["7h", "8h"]}]}, "templates[0]"),
        ({"colour": "red"}, "templates[0].colour"),
    ],
)
def test_shift_templates_refused_alike_in_the_file_and_the_schedule_request(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    document = {"templates": [{**TEMPLATE, **change}]}
    path = tmp_path / "shifts.yaml"
    path.write_text(yaml.safe_dump(document))
    api = api_error(ScheduleIn, {"week_start": "2026-11-30", "shifts": document})
    assert api.startswith(f"shifts.{field}: ")
    assert file_error(path, read_shift_settings) == f"{path}: {api.removeprefix('shifts.')}"


@pytest.mark.parametrize(
    ("column", "value", "api_value"),
    [
        ("max_days_in_a_row", "9", 9),  # the file used to take it; the API never did
        ("min_rest_hours", "60", 60),
        ("max_hours_per_week", "0", 0),
        ("employment", "seasonal", "seasonal"),
        ("preferred_days_off", "sat;someday", ["sat", "someday"]),
        ("avoids_nights", "maybe", "maybe"),
    ],
)
def test_agent_rules_refused_alike_in_the_agents_file_and_the_rostering_profile(
    tmp_path: Path, column: str, value: str, api_value: object
) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(f"name,{column}\nana,{value}\n")
    api = api_error(RosteringProfileIn, {column: api_value})
    assert api.startswith(f"{column}")
    assert file_error(path, read_agents) == f"{path}: line 2: {api}"


def test_an_agents_file_row_and_a_profile_accept_the_same_values(tmp_path: Path) -> None:
    path = tmp_path / "agents.csv"
    path.write_text(
        "name,employment,max_days_in_a_row,min_rest_hours,preferred_days_off,avoids_nights\n"
        "ana,part_time,6,12,saturday;6,yes\n"
    )
    (agent,) = read_agents(path)
    profile = RosteringProfileIn.model_validate(
        {
            "employment": "part_time",
            "max_days_in_a_row": 6,
            "min_rest_hours": 12,
            "preferred_days_off": ["saturday", 6],
            "avoids_nights": "yes",
        }
    )
    assert profile.preferred_days_off == ["sat", "sun"]
    assert agent.preferred_days_off == frozenset({5, 6})
    assert (agent.contract.max_days_in_a_row, agent.contract.min_rest_minutes) == (6, 720)
    assert agent.contract.max_hours_per_week == 30.0
    assert agent.avoids_nights


def test_requirements_above_the_api_bound_are_refused_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "required.csv"
    path.write_text("day,period,agents\n0,0,1\n0,1,200000\n")
    api = api_error(ScheduleIn, {"week_start": "2026-11-30", "shifts": {"templates": [TEMPLATE]},
                                 "requirements": [1, 200000]})  # fmt: skip
    assert api == "requirements[1]: Input should be less than or equal to 100000"
    assert file_error(path, read_requirements) == (
        f"{path}: line 3: agents: Input should be less than or equal to 100000"
    )


def _scenario_error(path: tuple[Any, ...], value: object) -> str:
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    changed = copy.deepcopy(data)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidInput) as refused:
        scenario_from_dict(changed)
    return str(refused.value)


@pytest.mark.parametrize(
    ("path", "value", "model", "body"),
    [
        (("arrivals", 0, "calls_per_interval", 2), -1,
         QueueChangeIn, {"queue_id": 1, "calls_per_interval": [1, 2, -1]}),
        (("routing", "profiles", 0, "queues", 0, "priority"), 0,
         ProfileQueue, {"queue_id": 1, "priority": 0}),
        (("routing", "profiles", 1, "channels", "chat", "concurrency"), 51,
         ProfileChannel, {"channel": "chat", "concurrency": 51}),
        (("agents", 0, "skills", "cards"), 9, AgentSkillIn, {"skill_id": 1, "proficiency": 9}),
    ],
)  # fmt: skip
def test_scenario_values_refused_alike_in_the_file_and_the_api(
    path: tuple[Any, ...], value: object, model: type[BaseModel], body: dict[str, Any]
) -> None:
    api_reason = api_error(model, body).split(": ", 1)[1]
    assert _scenario_error(path, value) == f"{field_path(path)}: {api_reason}"
