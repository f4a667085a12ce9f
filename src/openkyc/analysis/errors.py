"""The analyser's exceptions.

Every exception it raises on purpose derives from :class:`AnalysisError`, so a caller
(the service's worker) can catch that one class, record the message and leave the
document ``pending`` for a person::

    AnalysisError
    ├── UnreadableFile      bytes that are no image or PDF we can open
    ├── UnsupportedInput    arguments the analyser cannot work with (no files, bad tag)
    └── ModelUnavailable    an OCR or face model failed to load from the installed wheels
"""

from __future__ import annotations

__all__ = ["AnalysisError", "ModelUnavailable", "UnreadableFile", "UnsupportedInput"]


class AnalysisError(Exception):
    """Base class of every error the analyser raises on purpose."""


class UnreadableFile(AnalysisError):
    """A file is not an image or PDF the analyser can open (corrupt, empty, other type)."""

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class UnsupportedInput(AnalysisError):
    """The call itself cannot be analysed: no files, an unknown file tag, bad settings."""


class ModelUnavailable(AnalysisError):
    """A model the analyser needs is missing from the installed packages."""
