"""The agent desktop: state, offers, active contacts in tabs, replies, customer panel, wrap-up.

The page carries what the script needs to start (the agent, queues and agents to transfer to,
wrap-up codes, canned responses); everything live goes through the REST API and the offers WebSocket.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from helpline.errors import NotFound
from helpline.http.deps import get_db
from helpline.services.acd import directory
from helpline.services.conversations.canned_responses import list_canned_responses
from helpline.web.render import page
from helpline.web.viewer import Viewer, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]

NOT_READY_REASONS = ("break", "lunch", "training", "meeting", "coaching")
SHORTCUTS = (
    ("Alt+A", "Accept the offer"),
    ("Alt+R", "Reject the offer"),
    ("Alt+V", "Go available"),
    ("Alt+N", "Go not ready (break)"),
    ("Alt+H", "Hold or resume the open contact"),
    ("Alt+T", "Transfer the open contact"),
    ("Alt+E", "End the open contact"),
    ("Alt+W", "Go to the wrap-up code"),
    ("Alt+1 … Alt+9", "Switch to contact tab 1 … 9"),
    ("Ctrl+Enter", "Send the reply"),
)


def desk_data(request: Request, viewer: Viewer) -> dict[str, Any]:
    """The desk's starting data as JSON-ready values."""
    if viewer.agent_id is None:
        raise NotFound("you are not an agent of this organization")
    with get_db(request).read() as session:
        status = directory.agent_status(session, viewer.actor, viewer.agent_id)
        queues = directory.queues(session, viewer.actor)
        agents = directory.active_agents(session, viewer.actor)
        codes = directory.active_wrap_up_codes(session, viewer.actor)
        canned = list_canned_responses(session, viewer.actor)
    return {
        "agent_id": viewer.agent_id,
        "agent_name": viewer.user_name,
        "time_zone": viewer.time_zone,
        "state": status.state if status else "offline",
        "status": status.status if status else "offline",
        "reason": status.reason if status else None,
        "state_since": status.state_since.isoformat() if status else None,
        "queues": [{"id": q.id, "name": q.name, "channel": q.channel} for q in queues],
        "agents": [{"id": a.id, "name": a.display_name} for a in agents if a.id != viewer.agent_id],
        "wrap_up_codes": [{"id": c.id, "code": c.code, "label": c.label} for c in codes],
        "canned": [{"id": c.id, "title": c.title} for c in canned],
    }


@router.get("/desk", response_class=HTMLResponse)
def desk(request: Request, viewer: PageViewer) -> HTMLResponse:
    """The agent desktop of the logged-in agent."""
    return page(
        request,
        "desk.html",
        viewer,
        desk=desk_data(request, viewer),
        reasons=NOT_READY_REASONS,
        shortcuts=SHORTCUTS,
    )
