"""Helpline: an open-source contact-center platform."""

from importlib.metadata import PackageNotFoundError, version

from helpline import _native

_native.check()  # before any compiled module is imported: refuse stale extensions

try:
    __version__ = version("helpline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
