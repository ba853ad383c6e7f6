"""Build: compile the routing engine and the simulator's loop with Cython (see helpline/_native.py).

The metadata lives in pyproject.toml. Each module of ``COMPILED`` is compiled from its ``.py`` plus the
``.pxd`` beside it; the hash of these and the ``.pxd`` files it cimports is recorded in ``helpline/_native_build.json`` so that importing
helpline.routing or helpline.sim refuses an extension whose source changed since it was built.

Incremental in place (``setup.py build_ext --inplace``, what ``make`` runs): Cython writes its C into
``build/cython`` and regenerates a file only when its ``.py``, ``.pxd`` or a ``.pxd`` it cimports is
newer; build_ext recompiles an extension only when its C is newer. Timestamps are corrected by content
first: an extension whose recorded hash matches the current sources is kept (a revert, a branch switch
back), one whose hash differs is rebuilt. So an edit rebuilds the edited modules (and those cimporting
an edited ``.pxd``), not all of them. A wheel (``python -m build``) compiles everything afresh.

Without a working C compiler (or Cython) the build does not fail: it warns, removes the extensions it
may have half built and records why in the build record; helpline then runs its pure-Python modules
and logs that warning when the routing engine is imported. ``HELPLINE_SKIP_NATIVE=1`` builds no
extension at all (``make`` installs the package that way, then compiles in place).
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
CYTHON_BUILD_DIR = "build/cython"  # kept between builds: Cython only regenerates what changed

# helpline/_native.py on its own: importing the package would run the check this build is for.
native = runpy.run_path(str(ROOT / "helpline" / "_native.py"))
# Hashed before cythonize reads the sources: a source edited during the build is not recorded as built.
SOURCE_HASHES = {module: native["source_hash"](module, ROOT) for module in native["COMPILED"]}


def _warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr)


def _write_record(target: Path, record: dict[str, str]) -> None:
    path = target / "helpline" / native["BUILD_RECORD"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


class BuildExtRecordingSources(build_ext):
    """build_ext that cythonizes incrementally, decides by content which extensions are current,
    records the source hash of every compiled module, and falls back to pure Python (with a warning)
    when the extensions cannot be compiled."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.parallel = os.cpu_count() or 1  # the modules compile side by side
        self.fallback_reason: str | None = None

    def finalize_options(self) -> None:
        # Cythonized before build_ext prepares the extensions it is given.
        try:
            from Cython.Build import cythonize

            if self.inplace:
                self._judge_by_content()
            extensions = cythonize(
                self.distribution.ext_modules,
                build_dir=CYTHON_BUILD_DIR,
                force=not self.inplace,  # a wheel: everything compiled afresh from its sources
                compiler_directives={"language_level": "3", "annotation_typing": False},
                quiet=True,
            )
            for extension in extensions:
                if os.name != "nt":  # no debug information: half the time, a fifth of the memory
                    extension.extra_compile_args.append("-g0")
            self.distribution.ext_modules = extensions
        except Exception as error:  # Cython missing or failing
            self.fallback_reason = f"{type(error).__name__}: {error}".strip()
        super().finalize_options()
        if not self.inplace:
            self.force = True

    def run(self) -> None:
        if not self.extensions:  # HELPLINE_SKIP_NATIVE=1: leave any in-place build as it is
            return
        target = ROOT if self.inplace else Path(self.build_lib)
        reason = self.fallback_reason
        if reason is None:
            try:
                super().run()
            except Exception as error:  # no compiler, a failing compiler, missing headers, ...
                reason = f"{type(error).__name__}: {error}".strip()
        if reason is None:
            _write_record(target, {ext.name: SOURCE_HASHES[ext.name] for ext in self.extensions})
            return
        for ext in self.extensions:  # a partial build would mix compiled and pure modules
            Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
        _warn(
            f"the routing engine and the simulator were not compiled ({reason}); helpline will run "
            "them as pure Python (correct, several times slower). Install a C compiler and the "
            "Python headers, then reinstall, to compile them."
        )
        _write_record(target, {native["FALLBACK_KEY"]: reason})

    def _judge_by_content(self) -> None:
        """Cython and build_ext go by timestamps (build_ext against its copy in build/lib, which it
        then copies in place); the build record says what each in-place extension was built from.
        One built from exactly the current sources (a revert, a branch switch back) is marked current;
        one built from other sources is rebuilt whatever the timestamps say."""
        record = native["build_record"](ROOT)
        build = self.distribution.get_command_obj("build")
        build.ensure_finalized()
        for module in native["COMPILED"]:
            in_place = native["extension_path"](module, ROOT)
            generated = (
                ROOT / CYTHON_BUILD_DIR / native["source_path"](module, Path()).with_suffix(".c")
            )
            if in_place is not None and record.get(module) == SOURCE_HASHES[module]:
                built = Path(build.build_lib) / in_place.relative_to(ROOT)
                built.parent.mkdir(parents=True, exist_ok=True)
                if generated.exists():
                    os.utime(generated)
                shutil.copy2(in_place, built)
                os.utime(built)  # newer than its C and sources: not rebuilt
            else:
                generated.unlink(missing_ok=True)  # regenerated, hence recompiled


def _extensions() -> list[Extension]:
    """One extension per compiled module, from its ``.py`` (cythonized when built)."""
    if os.environ.get("HELPLINE_SKIP_NATIVE") == "1":
        return []
    return [
        Extension(module, [native["source_path"](module, Path()).as_posix()])
        for module in native["COMPILED"]
    ]


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExtRecordingSources})
