"""Secrets openkyc keeps because it must send them again (webhook signing secrets, the
passwords of host credentials) are stored sealed: encrypted and authenticated (Fernet:
AES-128-CBC with HMAC-SHA256) under a key derived from the deployment's secret key. A copy of
the database alone does not reveal them, nor can a sealed value be altered unnoticed.

Values stored before sealing existed read back as they are and are sealed when next written.
Every process that reads them (`openkyc serve`, `openkyc worker`) needs the same
`OPENKYC_SECRET_KEY`, as it already does to sign customer links."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:1:"
# The derived key serves this purpose only; customer links are signed with another.
_PURPOSE = b"openkyc: secrets at rest"


class SealBroken(Exception):
    """A sealed value that this deployment's key does not open."""


class Sealer:
    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=_PURPOSE).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, value: str | None) -> str | None:
        if value is None:
            return None
        return PREFIX + self._fernet.encrypt(value.encode()).decode("ascii")

    def open(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(PREFIX):
            return stored  # written before values were sealed
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise SealBroken(
                "a stored secret was sealed under another OPENKYC_SECRET_KEY; give this "
                "process the key it was written with, or enter the secret again"
            ) from error
