"""The compiled modules: which ones, and the import-time check that each matches its source.

``setup.py`` compiles the modules of :data:`COMPILED` with Cython (each ``.py`` stays the source of truth;
the ``.pxd`` next to it adds C types) and records a hash of every module's ``.py`` and ``.pxd`` in
``_native_build.json``. Python imports an extension in preference to the ``.py`` beside it, so an edit not
followed by a rebuild would silently run the old code: :func:`check`, run when ``helpline`` is imported,
refuses to go on if a compiled module's recorded hash differs from its current source. A module with no
extension runs as pure Python.

``HELPLINE_PURE_PYTHON=1`` imports every one of them from its ``.py`` even when compiled (the fallback's
own test run).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

COMPILED = (
    "helpline.routing.events",
    "helpline.routing.model",
    "helpline.routing.records",
    "helpline.routing.index",
    "helpline.routing.timers",
    "helpline.routing.core",
    "helpline.routing.snapshot",
    "helpline.routing.handling",
    "helpline.routing.engine",
    "helpline.sim.agenda",
    "helpline.sim.simulation",
)
PURE_PYTHON_ENV = "HELPLINE_PURE_PYTHON"
BUILD_RECORD = "_native_build.json"

_ROOT = Path(__file__).resolve().parent.parent  # the directory holding the helpline package


class StaleExtensionError(ImportError):
    """A compiled module was built from a source that has changed since."""


def source_path(module: str, root: Path = _ROOT) -> Path:
    """The ``.py`` of a module of :data:`COMPILED`."""
    return root.joinpath(*module.split(".")).with_suffix(".py")


def source_hash(module: str, root: Path = _ROOT) -> str:
    """SHA-256 of the module's ``.py`` and (if any) ``.pxd``: what its extension was compiled from."""
    digest = hashlib.sha256()
    py = source_path(module, root)
    for path in (py, py.with_suffix(".pxd")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def extension_path(module: str, root: Path = _ROOT) -> Path | None:
    """The module's compiled extension for this interpreter, or None if it is not compiled."""
    py = source_path(module, root)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = py.with_name(py.stem + suffix)
        if candidate.exists():
            return candidate
    return None


def stale_modules(root: Path = _ROOT) -> list[str]:
    """Compiled modules whose source changed since they were built (or whose build is unrecorded),
    and extensions beside them left by modules no longer compiled (they would shadow their ``.py``)."""
    record_file = root / "helpline" / BUILD_RECORD
    record = json.loads(record_file.read_text()) if record_file.exists() else {}
    stale = [
        module
        for module in COMPILED
        if extension_path(module, root) is not None
        and record.get(module) != source_hash(module, root)
    ]
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    folders = sorted({source_path(module, root).parent for module in COMPILED})
    for path in sorted(p for folder in folders if folder.is_dir() for p in folder.iterdir()):
        suffix = next((s for s in suffixes if path.name.endswith(s)), None)
        if suffix is not None:
            module = ".".join(path.relative_to(root).with_name(path.name[: -len(suffix)]).parts)
            if module not in COMPILED:
                stale.append(module)
    return stale


class _PurePythonFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of :data:`COMPILED` as their ``.py`` files, ignoring any extension."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in COMPILED:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


def check(root: Path = _ROOT) -> None:
    """Make the compiled modules safe to import (see the module docstring); raise if one is stale."""
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        if not any(isinstance(f, _PurePythonFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _PurePythonFinder())
        return
    stale = stale_modules(root)
    if stale:
        raise StaleExtensionError(
            f"compiled modules older than their source: {', '.join(stale)}. Rebuild them "
            f"(`make install`, or `pip install -e .`), or set {PURE_PYTHON_ENV}=1 to run the .py files."
        )


def is_compiled(module: ModuleType) -> bool:
    """True when ``module`` was loaded from an extension rather than from its ``.py``."""
    return isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader)
