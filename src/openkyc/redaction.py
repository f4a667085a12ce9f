"""What never reaches a log line: bearer secrets in URLs (a gatherer link's token, a customer
token being exchanged, any JWT or API key), the values of query strings (a search for a
customer's name), and the values bound to SQL statements or echoed back by the database in its
error messages (a customer's name, e-mail, address)."""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType
from typing import Any

from sqlalchemy.exc import StatementError

HIDDEN = "[hidden]"
_SECRETS = [
    # A path whose segment is a link token: /authentication-tokens/{token}/exchange.
    (re.compile(r"(/authentication-tokens/)[^/?#\s\"']+"), rf"\g<1>{HIDDEN}"),
    # Every query value: a link's token, a search for a customer's name or e-mail.
    (re.compile(r"([?&][A-Za-z0-9_.\[\]-]+=)[^&#\s\"']+"), rf"\g<1>{HIDDEN}"),
    # Any JWT, wherever it is (three base64url parts, the first a JSON object).
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), HIDDEN),
    # Secret and publishable API keys (sk_ or pk_ and 43 characters of base64url).
    (re.compile(r"\b(?:sk|pk)_[A-Za-z0-9_-]{32,}"), HIDDEN),
]
# Text that matches one of the patterns above contains one of these: text without any of them
# (most of every log line: a method, a plain path, a number) has nothing to hide.
_MARKS = ("/authentication-tokens/", "=", "eyJ", "sk_", "pk_")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def redact(text: str) -> str:
    """``text`` with every credential it carries replaced by ``[hidden]``."""
    if not any(mark in text for mark in _MARKS):
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def database_error_text(error: BaseException) -> str | None:
    """What may be said of a database error: its kind, its SQL state and the schema names it
    concerns, and the statement with placeholders; never the values. None when ``error`` is
    not a database error. (PostgreSQL's own message repeats values: "Key (email)=(…)",
    "Failing row contains (…)", "invalid input syntax for type integer: …".)"""
    if isinstance(error, StatementError):
        driver = error.orig
        said = _driver_error_text(driver) if driver is not None else type(error).__name__
        return f"{said}\n[SQL: {error.statement}]"
    if _is_driver_error(error):
        return _driver_error_text(error)
    return None


def _is_driver_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in ("psycopg", "sqlite3")


def _driver_error_text(error: BaseException) -> str:
    kind = f"{type(error).__module__}.{type(error).__name__}"
    diagnostics = getattr(error, "diag", None)
    if diagnostics is None:
        # SQLite names the constraint or the type, never the value ("UNIQUE constraint failed:
        # customers.email"); another driver's message is not known to be as careful.
        said = str(error) if type(error).__module__ == "sqlite3" else ""
        return f"({kind}) {said}".rstrip()
    names = {
        "SQLSTATE": getattr(error, "sqlstate", None),
        "table": diagnostics.table_name,
        "column": diagnostics.column_name,
        "constraint": diagnostics.constraint_name,
    }
    return f"({kind}) " + ", ".join(f"{k} {v}" for k, v in names.items() if v)


def exception_text(exc_info: ExcInfo) -> str:
    """The traceback as logging prints it, with each database error (and its cause) told by
    :func:`database_error_text` instead of by its own message, and credentials redacted."""
    text = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    seen: set[int] = set()
    error: BaseException | None = exc_info[1]
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        safe = database_error_text(error)
        if safe is not None:
            text = text.replace(str(error), safe)
        error = error.__cause__ or error.__context__
    return redact(text)


def _safe_argument(value: Any) -> Any:
    if value is None or isinstance(value, int | float):
        return value  # numbers stay numbers for %d and %.1f
    if isinstance(value, BaseException):
        return database_error_text(value) or redact(str(value))
    # Strings, and objects that print as text (an httpx URL, a request): as their redacted text.
    return redact(str(value))


class RedactSecrets(logging.Filter):
    """Rewrites a record before any handler formats it: credentials in its message and
    arguments (a request line, a URL) are hidden, database errors lose their values, and a
    traceback is rendered the same way. The arguments keep their number and order, so
    uvicorn's access formatter still finds the request line where it expects it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_safe_argument(value) for value in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _safe_argument(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            _, error, trace = record.exc_info
            if error is not None:
                record.exc_text = exception_text((type(error), error, trace))
        return True


# Loggers that write request lines or errors whatever handlers the operator configured:
# a filter on a logger applies to its own records before any handler sees them.
PROTECTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "openkyc.access", "openkyc.web.problems")


def protect_loggers() -> None:
    """Put :class:`RedactSecrets` on :data:`PROTECTED_LOGGERS` (once)."""
    for name in PROTECTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
