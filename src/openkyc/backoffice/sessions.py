"""A person's back-office session, kept in one cookie: their user token and the form token
(CSRF), sealed (encrypted and authenticated) under the deployment's secret key. The seal's
time is the last request, so a cookie left unused longer than the idle timeout no longer
opens; the user token inside ends the session at its absolute lifetime."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken

from openkyc.config import Settings
from openkyc.sealing import keys_for

COOKIE = "openkyc_backoffice"
# Before signing in: the sign-in form's own token, in a cookie of its own.
SIGN_IN_COOKIE = "openkyc_backoffice_signin"
PATH = "/backoffice"
_PURPOSE = b"openkyc: back-office sessions"


@dataclass(frozen=True)
class Visit:
    """What the cookie holds: the person's token (none before signing in) and the form token."""

    csrf: str
    token: str | None = None

    @classmethod
    def new(cls, token: str | None = None) -> Visit:
        return cls(csrf=secrets.token_urlsafe(32), token=token)

    def form_token_matches(self, sent: str | None) -> bool:
        return bool(sent) and secrets.compare_digest(self.csrf, str(sent))


class SessionCookies:
    def __init__(self, settings: Settings) -> None:
        self._keys = keys_for(_PURPOSE, settings.resolved_secret_key, settings.previous_secret_keys)
        self.idle = timedelta(minutes=settings.backoffice_idle_minutes)
        self.lifetime = timedelta(hours=settings.backoffice_session_hours)
        self.production = settings.environment == "production"

    def seal(self, visit: Visit, now: datetime) -> str:
        data = json.dumps({"c": visit.csrf, "t": visit.token}).encode()
        return self._keys.encrypt_at_time(data, int(now.timestamp())).decode("ascii")

    def open(self, value: str | None, now: datetime) -> Visit | None:
        """The visit in the cookie, or None when it is missing, altered or idle too long."""
        if not value:
            return None
        try:
            data = self._keys.decrypt_at_time(
                value.encode("ascii"), int(self.idle.total_seconds()), int(now.timestamp())
            )
            fields = json.loads(data)
            return Visit(csrf=str(fields["c"]), token=fields.get("t"))
        except (InvalidToken, UnicodeError, ValueError, KeyError, TypeError):
            return None
