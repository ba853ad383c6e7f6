"""Build: compile the routing engine and the simulator's loop with Cython (see helpline/_native.py).

The metadata lives in pyproject.toml. Each module of ``COMPILED`` is compiled from its ``.py`` plus the
``.pxd`` beside it; the hash of both is recorded in ``helpline/_native_build.json`` so that importing
helpline refuses an extension whose source changed since it was built.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

from Cython.Build import cythonize
from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


# helpline/_native.py on its own: importing the package would run the check this build is for.
native = runpy.run_path(str(ROOT / "helpline" / "_native.py"))
# Hashed before cythonize reads the sources: a source edited during the build is not recorded as built.
SOURCE_HASHES = {module: native["source_hash"](module, ROOT) for module in native["COMPILED"]}


class BuildExtRecordingSources(build_ext):
    """build_ext that also records the source hash of every compiled module."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.parallel = os.cpu_count() or 1  # ten modules: compile them side by side

    def run(self) -> None:
        super().run()
        record = {ext.name: SOURCE_HASHES[ext.name] for ext in self.extensions}
        target = ROOT if self.inplace else Path(self.build_lib)
        path = target / "helpline" / native["BUILD_RECORD"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


setup(
    ext_modules=cythonize(
        [
            str(native["source_path"](module, ROOT).relative_to(ROOT))
            for module in native["COMPILED"]
        ],
        compiler_directives={"language_level": "3", "annotation_typing": False},
        quiet=True,
    ),
    cmdclass={"build_ext": BuildExtRecordingSources},
)
