"""The errors services raise. One handler in ``openkyc.web.problems`` renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class InvalidField:
    field: str
    message: str


class OpenKycError(Exception):
    """Base of every error openkyc reports to a client as problem details."""

    status: int = 500
    title: str = "Internal Server Error"
    slug: str = "internal-error"

    def __init__(self, detail: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = headers or {}

    def extensions(self) -> dict[str, object]:
        return {}


class BadRequest(OpenKycError):
    """The request could not be parsed: malformed JSON, a broken upload, a bad parameter."""

    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(OpenKycError):
    """No valid credentials: send a secret key in `REB-APIKEY` or `Authorization: Bearer <JWT>`."""

    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(OpenKycError):
    """The credentials are valid but may not do this: another organization, an operation outside
    the key's ACL, a publishable key on a secret operation, or an address outside `allowedIps`."""

    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(OpenKycError):
    """No such resource in the caller's organization (another tenant's resources look absent)."""

    status, title, slug = 404, "Not Found", "not-found"

    @classmethod
    def resource(cls, kind: str, resource_id: str) -> NotFound:
        return cls(f"{kind} {resource_id} was not found")


class MethodNotAllowed(OpenKycError):
    """The path exists but not with this HTTP method; the `Allow` header lists those that do."""

    status, title, slug = 405, "Method Not Allowed", "method-not-allowed"


class Conflict(OpenKycError):
    """The action clashes with the resource's current state (for example a review another
    reviewer holds)."""

    status, title, slug = 409, "Conflict", "conflict"


class PayloadTooLarge(OpenKycError):
    """The request body is larger than the endpoint accepts (1 MiB for JSON, the file limit
    for uploads; see the settings)."""

    status, title, slug = 413, "Content Too Large", "content-too-large"


class UnsupportedMediaType(OpenKycError):
    """The body's media type is not one the endpoint reads; JSON endpoints want
    `application/json`."""

    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class ValidationFailed(OpenKycError):
    """The request parsed but breaks a rule; `invalidFields` names every offending field in dot
    notation (`primaryAddress.dob`, `documents.0.type`)."""

    status, title, slug = 422, "Invalid data", "validation-error"

    def __init__(self, invalid_fields: Sequence[InvalidField], detail: str = "") -> None:
        self.invalid_fields = list(invalid_fields)
        summary = "; ".join(f"{f.field}: {f.message}" for f in self.invalid_fields)
        super().__init__(detail or summary or self.title)

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls([InvalidField(field, message)])

    def extensions(self) -> dict[str, object]:
        return {
            "invalidFields": [{"field": f.field, "message": f.message} for f in self.invalid_fields]
        }


class RetakeNeeded(ValidationFailed):
    """A customer's picture cannot be analysed: no document of the kind asked for, blurred,
    too dark, with glare, cut off, a selfie where a document is asked (or the reverse), or
    its text not legible. `hints` says for each file (`fileId`, `code`, `message`) what a
    better picture needs; nothing was created and no attempt was used."""

    slug, title = "retake-needed", "Retake needed"

    def __init__(
        self, invalid_fields: Sequence[InvalidField], hints: list[dict[str, object]]
    ) -> None:
        super().__init__(invalid_fields)
        self.hints = hints

    def extensions(self) -> dict[str, object]:
        return {**super().extensions(), "hints": self.hints}


class RateLimited(OpenKycError):
    """The organization used up its changes for the current window; `X-RateLimit-Retry-After`
    gives the UTC timestamp when it resets."""

    status, title, slug = 429, "Rate Limit Exceeded", "rate-limit-exceeded"


class ServiceUnavailable(OpenKycError):
    """A dependency of the service is down; retry later."""

    status, title, slug = 503, "Service Unavailable", "service-unavailable"


PROBLEM_TYPES: dict[str, type[OpenKycError]] = {
    cls.slug: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
        RetakeNeeded,
        RateLimited,
        ServiceUnavailable,
        OpenKycError,
    )
}
