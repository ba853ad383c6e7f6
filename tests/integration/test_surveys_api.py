"""Post-contact surveys over HTTP: settings, issuing for a closed contact (by link or on its
channel), the customer's public page (JSON and HTML form, 422 naming the field, single use, expiry),
answers listed per contact and agent, and CSAT/NPS/CES in the reports from those answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from helpline.bootstrap import Database
from helpline.domain.enums import Role
from helpline.storage.tables import Message, Survey
from tests.factories import make_tenant
from tests.integration.snapshot import organization_snapshot
from tests.integration.test_acd_api import Center, build_center

pytestmark = pytest.mark.integration


def closed_contact(center: Center, agent: int, queue: str = "voice", **extra: Any) -> int:
    for other in center.agents:
        if other != agent:
            body = {"state": "not_ready", "reason": "break"}
            assert center.post(f"agents/{other}/state", body).status_code == 200
    center.available(agent)
    contact = center.contact(queue, **extra)
    assert center.post(f"contacts/{contact['id']}/accept", {"agent_id": agent}).status_code == 200
    center.tick(120)
    assert center.post(f"contacts/{contact['id']}/close").status_code == 200
    contact_id: int = contact["id"]
    return contact_id


def issue(center: Center, contact_id: int, **body: Any) -> Any:
    return center.post(f"contacts/{contact_id}/survey", body or None, role=Role.AGENT)


@pytest.fixture
def center(db: Database) -> Center:
    return build_center(db)


def test_settings_have_defaults_are_validated_and_saved_by_managers(center: Center) -> None:
    assert center.get("survey-settings") == {
        "asks_csat": True,
        "asks_nps": True,
        "asks_ces": True,
        "ces_scale_max": 7,
        "expires_after_hours": 168,
    }
    headers = center.tenant.headers(Role.MANAGER)
    bad = center.client.put("/api/v1/survey-settings", json={"ces_scale_max": 2}, headers=headers)
    assert bad.status_code == 422
    assert "ces_scale_max" in bad.json()["detail"][0]["loc"]
    none = {"asks_csat": False, "asks_nps": False, "asks_ces": False}
    empty = center.client.put("/api/v1/survey-settings", json=none, headers=headers)
    assert empty.status_code == 422
    assert "asks_csat" in empty.json()["detail"][0]["loc"]
    agent = center.tenant.headers(Role.AGENT)
    denied = center.client.put("/api/v1/survey-settings", json={}, headers=agent)
    assert denied.status_code == 403
    saved = center.client.put(
        "/api/v1/survey-settings", json={"asks_nps": False, "ces_scale_max": 5}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert center.get("survey-settings")["ces_scale_max"] == 5
    contact_id = closed_contact(center, center.agents[0])
    questions = issue(center, contact_id).json()["questions"]
    assert [(q["name"], q["scale_min"], q["scale_max"]) for q in questions] == [
        ("csat", 1, 5),
        ("ces", 1, 5),
    ]


def test_only_a_closed_contact_gets_one_survey(center: Center) -> None:
    waiting = center.contact()
    assert issue(center, waiting["id"]).status_code == 409
    assert center.post(f"contacts/{waiting['id']}/abandon").status_code == 200
    assert issue(center, waiting["id"]).status_code == 409
    contact_id = closed_contact(center, center.agents[0])
    issued = issue(center, contact_id)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert (body["contact_id"], body["agent_id"], body["delivery"]) == (
        contact_id,
        center.agents[0],
        "link",
    )
    assert body["link"].startswith("http://testserver/api/v1/public/surveys/")
    assert len(body["link"].rsplit("/", 1)[1]) >= 40  # 32 random bytes, URL-safe
    assert issue(center, contact_id).status_code == 409
    assert center.post("contacts/999999/survey", role=Role.AGENT).status_code == 404


def test_channel_delivery_queues_the_link_on_the_contacts_channel(
    db: Database, center: Center
) -> None:
    contact_id = closed_contact(
        center,
        center.agents[0],
        "chat",
        customer={"display_name": "Vi", "identities": {"chat": "visitor-survey"}},
    )
    issued = issue(center, contact_id, delivery="channel")
    assert issued.status_code == 201, issued.text
    link = issued.json()["link"]
    with db.transaction() as session:
        messages = session.scalars(select(Message).where(Message.contact_id == contact_id)).all()
        token_hash = session.scalar(
            select(Survey.token_hash).where(Survey.contact_id == contact_id)
        )
    assert [(m.direction, link in m.body) for m in messages] == [("outbound", True)]
    (message,) = messages
    assert (message.channel, message.delivery_status) == ("chat", "queued")  # for the outbox
    assert message.headers["to"] == "visitor-survey"
    assert token_hash is not None
    assert link.rsplit("/", 1)[1] not in token_hash  # only the hash is stored


def test_a_voice_contact_cannot_be_surveyed_on_its_channel(db: Database, center: Center) -> None:
    contact_id = closed_contact(center, center.agents[0])
    refused = issue(center, contact_id, delivery="channel")
    assert refused.status_code == 409
    assert "text channel" in refused.json()["detail"]
    with db.transaction() as session:
        assert session.scalars(select(Survey).where(Survey.contact_id == contact_id)).all() == []
        assert session.scalars(select(Message).where(Message.contact_id == contact_id)).all() == []


def test_customer_answers_once_by_link_without_logging_in(db: Database, center: Center) -> None:
    contact_id = closed_contact(center, center.agents[0])
    link = issue(center, contact_id).json()["link"]
    client = center.client
    shown = client.get(link)
    assert shown.status_code == 200, shown.text
    assert [q["name"] for q in shown.json()["questions"]] == ["csat", "nps", "ces"]
    page = client.get(link, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="nps" value="10"' in page.text
    assert 'name="ces" value="7"' in page.text
    before = organization_snapshot(db, center.tenant.organization_id)
    for answers, field in [
        ({"csat": 6}, "csat"),
        ({"nps": -1}, "nps"),
        ({"ces": "easy"}, "ces"),
        ({"csat": 4.5}, "csat"),
        ({"mood": 3}, "mood"),
        ({}, "csat"),
    ]:
        response = client.post(link, json=answers)
        assert response.status_code == 422, (answers, response.text)
        assert field in response.json()["detail"][0]["loc"], (answers, response.text)
    assert organization_snapshot(db, center.tenant.organization_id) == before
    answered = client.post(link, json={"csat": 4, "nps": 9, "ces": 2})
    assert answered.status_code == 201, answered.text
    assert answered.json() == {"answered": ["csat", "nps", "ces"]}
    assert client.post(link, json={"csat": 5}).status_code == 409
    assert client.get(link).status_code == 409
    assert client.get("/api/v1/public/surveys/not-a-token").status_code == 404


def test_the_html_form_posts_answers(center: Center) -> None:
    contact_id = closed_contact(center, center.agents[0])
    link = issue(center, contact_id).json()["link"]
    response = center.client.post(
        link,
        content="csat=5&nps=10&ces=",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html",
        },
    )
    assert response.status_code == 201, response.text
    assert "Thank you" in response.text
    answers = center.get(f"survey-answers?contact_id={contact_id}")
    assert sorted((a["question"], a["score"]) for a in answers) == [("csat", 5), ("nps", 10)]


def test_expired_links_are_refused(center: Center) -> None:
    contact_id = closed_contact(center, center.agents[0])
    link = issue(center, contact_id).json()["link"]
    center.clock.advance(timedelta(hours=168).total_seconds())
    assert center.client.get(link).status_code == 404
    assert center.client.post(link, json={"csat": 5}).status_code == 404


def test_answers_are_listed_per_contact_and_agent_and_feed_the_kpis(center: Center) -> None:
    first, second = center.agents
    mine = closed_contact(center, first)
    theirs = closed_contact(center, second)
    for contact_id, answers in [
        (mine, {"csat": 5, "nps": 10, "ces": 2}),
        (theirs, {"csat": 2, "nps": 3}),
    ]:
        link = issue(center, contact_id).json()["link"]
        assert center.client.post(link, json=answers).status_code == 201
    by_contact = center.get(f"survey-answers?contact_id={mine}")
    assert {(a["question"], a["score"], a["agent_id"]) for a in by_contact} == {
        ("csat", 5, first),
        ("nps", 10, first),
        ("ces", 2, first),
    }
    by_agent = center.get(f"survey-answers?agent_id={second}")
    assert {(a["question"], a["score"], a["contact_id"]) for a in by_agent} == {
        ("csat", 2, theirs),
        ("nps", 3, theirs),
    }
    day = center.clock.now.date().isoformat()
    report = center.client.get(
        f"/api/v1/reports/daily?from={day}&to={day}T23:59:59&group_by=agent",
        headers=center.tenant.headers(Role.MANAGER),
    )
    assert report.status_code == 200, report.text
    rows = {int(row["group"]): row for row in report.json()["rows"] if row["group"]}
    assert (rows[first]["csat"], rows[first]["nps"], rows[first]["ces"]) == (1.0, 100.0, 2.0)
    assert (rows[second]["csat"], rows[second]["nps"], rows[second]["ces"]) == (0.0, -100.0, None)


def test_answers_and_surveys_stay_in_their_organization(db: Database, center: Center) -> None:
    contact_id = closed_contact(center, center.agents[0])
    link = issue(center, contact_id).json()["link"]
    assert center.client.post(link, json={"csat": 5}).status_code == 201
    other = make_tenant(db)
    headers = other.headers(Role.MANAGER)
    listed = center.client.get(f"/api/v1/survey-answers?contact_id={contact_id}", headers=headers)
    assert listed.json() == []
    stolen = center.client.post(f"/api/v1/contacts/{contact_id}/survey", headers=headers)
    assert stolen.status_code == 404
    assert center.client.get("/api/v1/survey-answers", headers=headers).json() == []
