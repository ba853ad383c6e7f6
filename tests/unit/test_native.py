"""The compiled modules (helpline/_native.py): the ones imported are the ones built from the current
sources, a stale build is refused, and the pure-Python fallback stays a drop-in replacement."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.machinery
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpline import _native
from helpline.routing import ContactSpec, RoutingEngine
from helpline.routing import events as ev
from helpline.routing.model import AgentState

PURE = os.environ.get(_native.PURE_PYTHON_ENV) == "1"


def test_the_modules_imported_are_compiled_unless_pure_python_is_asked_for() -> None:
    """`make unit` runs on the build `make` just compiled; `make unit-pure` on the .py files."""
    for name in _native.COMPILED:
        module = importlib.import_module(name)
        assert _native.is_compiled(module) is not PURE, (name, module.__file__)
        if PURE:
            assert module.__file__ == str(_native.source_path(name))


def test_the_build_record_matches_the_sources_in_the_test_environment() -> None:
    assert _native.stale_modules() == []


def test_pure_python_can_be_forced_over_a_build() -> None:
    code = (
        "import helpline._native as n, helpline.routing.core as c, helpline.sim.simulation as s;"
        "print(n.is_compiled(c), n.is_compiled(s))"
    )
    env = {**os.environ, _native.PURE_PYTHON_ENV: "1"}
    out = subprocess.run(  # noqa: S603 -- this interpreter, our own code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def _fake_build(root: Path, record: dict[str, str]) -> None:
    """A source tree holding one compiled module (an empty stand-in extension) and a build record."""
    source = _native.source_path("helpline.routing.events", root)
    source.parent.mkdir(parents=True)
    source.write_text("X = 1\n")
    source.with_suffix(".pxd").write_text("cdef int X\n")
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    source.with_name(source.stem + suffix).write_bytes(b"")
    (root / "helpline" / _native.BUILD_RECORD).write_text(json.dumps(record))


def test_an_extension_built_from_the_current_source_is_accepted(tmp_path: Path) -> None:
    name = "helpline.routing.events"
    _fake_build(tmp_path, {})
    record = {name: _native.source_hash(name, tmp_path)}
    (tmp_path / "helpline" / _native.BUILD_RECORD).write_text(json.dumps(record))
    assert _native.stale_modules(tmp_path) == []
    _native.check(tmp_path)


@pytest.mark.parametrize("edited", [".py", ".pxd"])
def test_an_extension_older_than_its_source_is_refused(
    tmp_path: Path, edited: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(_native.PURE_PYTHON_ENV, raising=False)
    name = "helpline.routing.events"
    _fake_build(tmp_path, {})
    record = {name: _native.source_hash(name, tmp_path)}
    (tmp_path / "helpline" / _native.BUILD_RECORD).write_text(json.dumps(record))
    source = _native.source_path(name, tmp_path).with_suffix(edited)
    source.write_text(source.read_text() + "# edited after the build\n")
    assert _native.stale_modules(tmp_path) == [name]
    with pytest.raises(_native.StaleExtensionError, match=r"helpline\.routing\.events"):
        _native.check(tmp_path)


def test_an_extension_without_a_build_record_is_refused(tmp_path: Path) -> None:
    _fake_build(tmp_path, {})
    (tmp_path / "helpline" / _native.BUILD_RECORD).unlink()
    assert _native.stale_modules(tmp_path) == ["helpline.routing.events"]


def test_an_extension_of_a_module_no_longer_compiled_is_refused(tmp_path: Path) -> None:
    _fake_build(tmp_path, {})
    name = "helpline.routing.events"
    record = {name: _native.source_hash(name, tmp_path)}
    (tmp_path / "helpline" / _native.BUILD_RECORD).write_text(json.dumps(record))
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (tmp_path / "helpline" / "routing" / f"gone{suffix}").write_bytes(b"")
    assert _native.stale_modules(tmp_path) == ["helpline.routing.gone"]


def test_the_check_covers_only_the_package_being_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale routing extension does not stop the CLI or the services from starting: only importing
    helpline.routing (or what imports it) refuses it."""
    monkeypatch.delenv(_native.PURE_PYTHON_ENV, raising=False)
    _fake_build(tmp_path, {})  # helpline.routing.events, unrecorded
    assert _native.stale_modules(tmp_path, "helpline.sim") == []
    _native.check(tmp_path, package="helpline.sim")
    with pytest.raises(_native.StaleExtensionError, match=r"helpline\.routing\.events"):
        _native.check(tmp_path, package="helpline.routing")


def test_importing_helpline_runs_no_check() -> None:
    code = "import sys, helpline; print('helpline._native' in sys.modules)"
    out = subprocess.run(  # noqa: S603 -- this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False"]


def test_a_build_that_fell_back_to_pure_python_is_logged_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(_native.PURE_PYTHON_ENV, raising=False)
    monkeypatch.setattr(_native, "_warned_fallback", False)
    (tmp_path / "helpline").mkdir()
    record = {_native.FALLBACK_KEY: "CompileError: command '/bin/false' failed"}
    (tmp_path / "helpline" / _native.BUILD_RECORD).write_text(json.dumps(record))
    with caplog.at_level("WARNING", logger="helpline._native"):
        _native.check(tmp_path, package="helpline.routing")
        _native.check(tmp_path, package="helpline.sim")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "pure Python" in caplog.text
    assert "/bin/false" in caplog.text


def test_contact_spec_keeps_its_defaults_keywords_equality_and_immutability() -> None:
    spec = ContactSpec("c1", "q", customer_id="cust")
    assert spec == ContactSpec("c1", "q", 5, None, 0.0, "cust", None)
    assert (spec.priority, spec.criteria, spec.age_adjustment_seconds) == (5, None, 0.0)
    assert hash(spec) == hash(ContactSpec("c1", "q", customer_id="cust"))
    assert dataclasses.replace(spec, queue_id="q2").queue_id == "q2"
    with pytest.raises(AttributeError):  # FrozenInstanceError in pure Python
        spec.priority = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ContactSpec("c1")  # type: ignore[call-arg]


def test_events_stay_dataclasses_the_event_store_can_serialise() -> None:
    event = ev.AgentStateChanged(1.5, "a1", AgentState.BUSY, None)
    assert dataclasses.asdict(event) == {
        "at": 1.5,
        "agent_id": "a1",
        "state": AgentState.BUSY,
        "reason": None,
    }
    assert event == ev.AgentStateChanged(1.5, "a1", AgentState.BUSY, None)
    assert isinstance(event, ev.Event)
    assert repr(event).startswith("AgentStateChanged(at=1.5")
    with pytest.raises(AttributeError):
        event.at = 2.0  # type: ignore[misc]


def test_commands_keep_their_signatures() -> None:
    consult = inspect.signature(RoutingEngine.start_consult)
    assert list(consult.parameters) == [
        "self",
        "contact_id",
        "consult_contact_id",
        "now",
        "queue_id",
        "agent_id",
    ]
    assert consult.parameters["queue_id"].kind is inspect.Parameter.KEYWORD_ONLY
    assert RoutingEngine.add_contact.__name__ == "add_contact"
    assert RoutingEngine.add_contact.__doc__ is not None
