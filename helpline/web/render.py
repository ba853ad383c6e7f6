"""The Jinja2 environment of the pages and the filters that show times, durations and ratios."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from helpline.web.viewer import CSRF_FIELD, Viewer

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
UNKNOWN = "\u2013"
"""What a page shows for an undefined value (an en dash)."""


def local_time(value: datetime | str | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``value`` (aware, or ISO 8601 text) in ``zone``; an empty string for None."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(zone).strftime(fmt)


def duration(seconds: float | None) -> str:
    """``h:mm:ss`` or ``m:ss``; an en dash when unknown."""
    if seconds is None:
        return UNKNOWN
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(ratio: float | None) -> str:
    """A 0..1 ratio as a whole percentage; an en dash when undefined."""
    return UNKNOWN if ratio is None else f"{100 * ratio:.0f}%"


templates.env.filters["duration"] = duration
templates.env.filters["percent"] = percent


def page(
    request: Request, name: str, viewer: Viewer | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render template ``name`` with the viewer, navigation and a ``when`` filter in their zone."""
    zone = viewer.zone if viewer else ZoneInfo("UTC")
    values = {
        "viewer": viewer,
        "csrf_field": CSRF_FIELD,
        "when": lambda value, fmt="%Y-%m-%d %H:%M": local_time(value, zone, fmt),
        "current_path": request.url.path,
        **context,
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)
