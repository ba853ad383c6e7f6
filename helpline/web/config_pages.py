"""Configuration pages: list, create and edit agents, teams, skills, queues, routing profiles,
wrap-up codes and canned responses through ``services.acd.configuration`` (hours and the routing
calendar: ``calendar_pages``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from helpline.errors import InvalidInput, NotFound
from helpline.http.bounds import PathId
from helpline.http.deps import get_db
from helpline.services.acd import configuration as config
from helpline.web.config_forms import (
    BY_SLUG,
    RESOURCES,
    Resource,
    field_options,
    initial_values,
    parse_form,
)
from helpline.web.render import page
from helpline.web.viewer import CONFIGURING, CSRF_FIELD, Viewer, check_csrf, current_viewer

router = APIRouter(include_in_schema=False)
PageViewer = Annotated[Viewer, Depends(current_viewer)]
PAGE_SIZE = 1000


def _resource(slug: str) -> Resource:
    found = BY_SLUG.get(slug)
    if found is None:
        raise NotFound(f"no configuration page {slug!r}")
    return found


@router.get("/config", response_class=HTMLResponse)
def overview(request: Request, viewer: PageViewer) -> HTMLResponse:
    """Links to every configuration list with its size."""
    viewer.require(*CONFIGURING)
    with get_db(request).transaction() as session:
        counts = {
            r.slug: len(config.list_rows(session, viewer.actor, r.kind, limit=PAGE_SIZE, offset=0))
            for r in RESOURCES
        }
    return page(request, "config_overview.html", viewer, resources=RESOURCES, counts=counts)


def _labels(request: Request, viewer: Viewer, resource: Resource) -> dict[str, dict[str, str]]:
    """Names for the id columns of a list (team, routing profile...)."""
    out: dict[str, dict[str, str]] = {}
    with get_db(request).transaction() as session:
        for form_field in resource.fields:
            options = field_options(resource, form_field)
            if form_field.widget == "select" and options is not None:
                out[form_field.name] = dict(options(session, viewer.actor))
    return out


@router.get("/config/{slug}", response_class=HTMLResponse)
def list_page(request: Request, viewer: PageViewer, slug: str) -> HTMLResponse:
    """The resource's rows with links to edit them."""
    resource = _resource(slug)
    viewer.require(*resource.kind.writers)
    with get_db(request).transaction() as session:
        rows = config.list_rows(session, viewer.actor, resource.kind, limit=PAGE_SIZE, offset=0)
    return page(
        request,
        "config_list.html",
        viewer,
        resource=resource,
        rows=rows,
        labels=_labels(request, viewer, resource),
    )


def _form(
    request: Request,
    viewer: Viewer,
    resource: Resource,
    item_id: int | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    with get_db(request).transaction() as session:
        options = {
            f.name: opts(session, viewer.actor)
            for f in resource.fields
            if (opts := field_options(resource, f)) is not None
        }
    return page(
        request,
        "config_form.html",
        viewer,
        status_code=status,
        resource=resource,
        item_id=item_id,
        values=values,
        errors=errors,
        options=options,
    )


@router.get("/config/{slug}/new", response_class=HTMLResponse)
def new_form(request: Request, viewer: PageViewer, slug: str) -> HTMLResponse:
    """An empty form with the defaults filled in."""
    resource = _resource(slug)
    viewer.require(*resource.kind.writers)
    return _form(request, viewer, resource, None, initial_values(resource, None), {})


@router.get("/config/{slug}/{item_id}", response_class=HTMLResponse)
def edit_form(request: Request, viewer: PageViewer, slug: str, item_id: PathId) -> HTMLResponse:
    """The form of a stored row."""
    resource = _resource(slug)
    viewer.require(*resource.kind.writers)
    with get_db(request).transaction() as session:
        row = config.represent(
            session, resource.kind, config.get_row(session, viewer.actor, resource.kind, item_id)
        )
    return _form(request, viewer, resource, item_id, initial_values(resource, row), {})


async def _submitted(request: Request, viewer: Viewer) -> dict[str, str]:
    form = await request.form()
    check_csrf(viewer.csrf_token, form.get(CSRF_FIELD))
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _save(
    request: Request,
    viewer: Viewer,
    resource: Resource,
    item_id: int | None,
    submitted: dict[str, str],
) -> Response:
    body, errors = parse_form(resource, submitted)
    if body is not None:
        try:
            with get_db(request).transaction() as session:
                if item_id is None:
                    saved: dict[str, Any] = config.create(
                        session, viewer.actor, resource.kind, body
                    )
                else:
                    saved = config.update(session, viewer.actor, resource.kind, item_id, body)
            return RedirectResponse(f"/config/{resource.slug}?saved={saved['id']}", status_code=303)
        except InvalidInput as invalid:
            errors = {invalid.field.split(".")[0]: invalid.reason}
    values = {f.name: submitted.get(f.name, "") for f in resource.fields}
    return _form(request, viewer, resource, item_id, values, errors, status=422)


@router.post("/config/{slug}/new")
async def create(request: Request, viewer: PageViewer, slug: str) -> Response:
    """Create from the form; the form again with messages when something is wrong."""
    resource = _resource(slug)
    viewer.require(*resource.kind.writers)
    return _save(request, viewer, resource, None, await _submitted(request, viewer))


@router.post("/config/{slug}/{item_id}")
async def update(request: Request, viewer: PageViewer, slug: str, item_id: PathId) -> Response:
    """Save the form over the stored row."""
    resource = _resource(slug)
    viewer.require(*resource.kind.writers)
    return _save(request, viewer, resource, item_id, await _submitted(request, viewer))
