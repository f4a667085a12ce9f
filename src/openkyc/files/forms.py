"""The four shapes of ``POST /files``, read into one ``Upload``.

- JSON with the bytes in base64 (``file``, a bare string or a ``data:…;base64,`` URL);
- JSON with a ``url`` for the server to fetch;
- ``multipart/form-data`` with a file part named ``file`` and the same fields as text parts
  (``tags`` repeated, or ``tags[]``);
- any other content type: the body is the file itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from openkyc.errors import BadRequest, ValidationFailed
from openkyc.files.schemas import FileCreateFromInline, FileCreateFromUrl, FileFields, Upload

_DATA_URL = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)
_FORM_FIELDS = ("name", "description", "sourceType", "isPublic")
Model = TypeVar("Model", bound=FileFields)


async def read_upload(request: Request) -> Upload:
    """The upload in the request body, whatever its form."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        # Parsing and decoding up to the upload limit is CPU work: off the event loop.
        return await run_in_threadpool(_from_json, await request.body())
    if media_type == "multipart/form-data":
        return await _from_multipart(request)
    body = await request.body()
    if not body:
        raise ValidationFailed.field(
            "file", "the request has no file: send it as the body, base64 JSON, a URL or a form"
        )
    return Upload(FileFields(), data=body)


def _from_json(body: bytes) -> Upload:
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise BadRequest("The body is not valid JSON") from error
    if not isinstance(payload, dict):
        raise ValidationFailed.field("body", "send a JSON object with `file` (base64) or `url`")
    if "url" in payload and "file" in payload:
        raise ValidationFailed.field("url", "send either `file` or `url`, not both")
    if "url" in payload:
        from_url = _validated(FileCreateFromUrl, payload)
        return Upload(from_url, url=from_url.url, source_field="url")
    inline = _validated(FileCreateFromInline, payload)
    return Upload(inline, data=decode_base64(inline.file))


def decode_base64(text: str) -> bytes:
    """Standard or URL-safe base64, padded or not, with line breaks or a ``data:`` prefix."""
    compact = "".join(_DATA_URL.sub("", text.strip(), count=1).split())
    compact = compact.replace("-", "+").replace("_", "/")
    compact += "=" * (-len(compact) % 4)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationFailed.field("file", "is not valid base64") from error


async def _from_multipart(request: Request) -> Upload:
    try:
        form = await request.form(max_files=1, max_fields=200)
    except HTTPException as error:
        if error.status_code != 400:
            raise
        raise BadRequest(f"The multipart body cannot be read: {error.detail}") from error
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise ValidationFailed.field("file", "send the file in a form part named `file`")
        fields = _validated(FileFields, _form_fields(form))
        return Upload(fields, data=await part.read(), filename=part.filename or "")
    finally:
        await form.close()


# Form fields are text: the words JSON would send as values mean those values here.
_FORM_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _form_value(name: str, value: Any) -> Any:
    if name in ("isPublic", "sourceType") and isinstance(value, str) and value in _FORM_WORDS:
        return _FORM_WORDS[value]
    return value


def _form_fields(form: FormData) -> dict[str, Any]:
    for name in _FORM_FIELDS:
        if len(form.getlist(name)) > 1:
            raise ValidationFailed.field(name, "send this field once")
    fields: dict[str, Any] = {
        name: _form_value(name, form[name]) for name in _FORM_FIELDS if name in form
    }
    tags = [*form.getlist("tags"), *form.getlist("tags[]")]
    if tags:
        fields["tags"] = tags
    return fields


def _validated(model: type[Model], payload: dict[str, Any]) -> Model:
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        # The same problem as a body FastAPI validates itself, fields named alike.
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from error
