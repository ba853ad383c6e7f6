"""The compiled modules: which ones, and the import-time check that each matches its source.

``setup.py`` compiles the modules of :data:`COMPILED` with Cython (each ``.py`` stays the source of truth;
the ``.pxd`` next to it adds C types) and records a hash of every module's ``.py`` and ``.pxd`` in
``_native_build.json``. Python imports an extension in preference to the ``.py`` beside it, so an edit not
followed by a rebuild would silently run the old code: :func:`check`, run when ``helpline.routing`` or
``helpline.sim`` is imported (only the compiled packages: the CLI, API and services start without it),
refuses to go on if one of the package's compiled modules has a recorded hash different from its
current source. A module with no extension runs as pure Python; when the build fell back to pure Python
(no C compiler at install time) the record says why and :func:`check` logs it as a warning, once.

``HELPLINE_PURE_PYTHON=1`` imports every one of them from its ``.py`` even when compiled (the fallback's
own test run).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import re
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
FALLBACK_KEY = "pure_python_fallback"  # in the build record: why the build compiled nothing
PACKAGES = ("helpline.routing", "helpline.sim")

_log = logging.getLogger(__name__)
_warned_fallback = False

_ROOT = Path(__file__).resolve().parent.parent  # the directory holding the helpline package


class StaleExtensionError(ImportError):
    """A compiled module was built from a source that has changed since."""


def source_path(module: str, root: Path = _ROOT) -> Path:
    """The ``.py`` of a module of :data:`COMPILED`."""
    return root.joinpath(*module.split(".")).with_suffix(".py")


_CIMPORT = re.compile(r"^\s*(?:from\s+(helpline[\w.]*)\s+cimport|cimport\s+(helpline[\w.]*))", re.M)


def cimported_pxds(module: str, root: Path = _ROOT) -> list[Path]:
    """The ``.pxd`` of the module and of every helpline module it cimports, directly or not: an
    extension is compiled from all of them."""
    seen: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        pxd = source_path(name, root).with_suffix(".pxd")
        if name in seen or not pxd.exists():
            continue
        seen[name] = pxd
        pending.extend(m.group(1) or m.group(2) for m in _CIMPORT.finditer(pxd.read_text()))
    return [seen[name] for name in sorted(seen)]


def source_hash(module: str, root: Path = _ROOT) -> str:
    """SHA-256 of the module's ``.py``, its ``.pxd`` (if any) and the ``.pxd`` files it cimports:
    what its extension was compiled from."""
    digest = hashlib.sha256()
    py = source_path(module, root)
    for path in (py, py.with_suffix(".pxd"), *cimported_pxds(module, root)):
        digest.update(path.relative_to(root).as_posix().encode())
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


def _in_package(module: str, package: str) -> bool:
    return package == "helpline" or module.startswith(package + ".")


def build_record(root: Path = _ROOT) -> dict[str, str]:
    """The build record: the source hash of each compiled module (or :data:`FALLBACK_KEY`)."""
    record_file = root / "helpline" / BUILD_RECORD
    record: dict[str, str] = json.loads(record_file.read_text()) if record_file.exists() else {}
    return record


def stale_modules(root: Path = _ROOT, package: str = "helpline") -> list[str]:
    """Compiled modules of ``package`` whose source changed since they were built (or whose build is
    unrecorded), and extensions beside them left by modules no longer compiled (they would shadow
    their ``.py``)."""
    record = build_record(root)
    compiled = [module for module in COMPILED if _in_package(module, package)]
    stale = [
        module
        for module in compiled
        if extension_path(module, root) is not None
        and record.get(module) != source_hash(module, root)
    ]
    suffixes = sorted(importlib.machinery.EXTENSION_SUFFIXES, key=len, reverse=True)
    folders = sorted({source_path(module, root).parent for module in compiled})
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


def check(root: Path = _ROOT, package: str = "helpline") -> None:
    """Make the compiled modules of ``package`` safe to import (see the module docstring); raise if
    one is stale. Each compiled package calls it first thing in its ``__init__``."""
    global _warned_fallback
    if os.environ.get(PURE_PYTHON_ENV) == "1":
        if not any(isinstance(f, _PurePythonFinder) for f in sys.meta_path):
            sys.meta_path.insert(0, _PurePythonFinder())
        return
    stale = stale_modules(root, package)
    if stale:
        raise StaleExtensionError(
            f"compiled modules older than their source: {', '.join(stale)}. Rebuild them "
            f"(`make native`, or `pip install -e .`), or set {PURE_PYTHON_ENV}=1 to run the .py files."
        )
    reason = build_record(root).get(FALLBACK_KEY)
    if reason is not None and not _warned_fallback:
        _warned_fallback = True
        _log.warning(
            "the routing engine runs as pure Python (several times slower): it was not compiled "
            "when helpline was installed (%s). Install a C compiler and reinstall helpline.",
            reason,
        )


def is_compiled(module: ModuleType) -> bool:
    """True when ``module`` was loaded from an extension rather than from its ``.py``."""
    return isinstance(module.__loader__, importlib.machinery.ExtensionFileLoader)
