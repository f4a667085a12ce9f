"""Secrets openkyc keeps because it must send them again (webhook signing secrets, the
passwords of host credentials) are stored sealed: encrypted and authenticated (Fernet:
AES-128-CBC with HMAC-SHA256) under a key derived from the deployment's secret key. A copy of
the database alone does not reveal them, nor can a sealed value be altered unnoticed.

Values stored before sealing existed read back as they are. Every process that reads them
(`openkyc serve`, `openkyc worker`) needs the same `OPENKYC_SECRET_KEY`, as it already does to
sign customer links; after a change of key, the keys it replaced (`OPENKYC_PREVIOUS_SECRET_KEYS`)
still open what they sealed. At each start openkyc seals anew, under the current key, whatever
is stored plain or under a previous key."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import overload

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:1:"
# The derived key serves this purpose only; customer links are signed with another.
_PURPOSE = b"openkyc: secrets at rest"


class SealBroken(Exception):
    """A sealed value that this deployment's key does not open."""


def _fernet(secret_key: str, purpose: bytes = _PURPOSE) -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def keys_for(purpose: bytes, secret_key: str, previous: Sequence[str] = ()) -> MultiFernet:
    """Fernet keys derived for one purpose of the deployment's secret key (the current key
    first, so it seals; the previous ones still open)."""
    return MultiFernet([_fernet(key, purpose) for key in (secret_key, *previous)])


class Sealer:
    """Seals under ``secret_key``; opens what it or any of the ``previous`` keys sealed."""

    def __init__(self, secret_key: str, previous: Sequence[str] = ()) -> None:
        self._current = _fernet(secret_key)
        self._any = MultiFernet([self._current, *(_fernet(key) for key in previous)])

    @overload
    def seal(self, value: str) -> str: ...
    @overload
    def seal(self, value: None) -> None: ...
    def seal(self, value: str | None) -> str | None:
        if value is None:
            return None
        return PREFIX + self._current.encrypt(value.encode()).decode("ascii")

    def is_current(self, stored: str | None) -> bool:
        """Whether ``stored`` is sealed under the current key (or is nothing to seal)."""
        if stored is None:
            return True
        if not stored.startswith(PREFIX):
            return False
        try:
            self._current.decrypt(stored[len(PREFIX) :].encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def open(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored  # written before values were sealed
        try:
            return self._any.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise SealBroken(
                "a stored secret was sealed under another OPENKYC_SECRET_KEY; give this "
                "process the key it was written with, or enter the secret again"
            ) from error
