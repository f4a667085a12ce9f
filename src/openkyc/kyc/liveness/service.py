"""Rules of liveness sessions: a random challenge per session, frames while it is shown,
the check in a background job, and the frontal frame kept as the customer's selfie.

Frames are biometric data: they are deleted once the session is decided; only the
measurements, the selfie and one still of each pose (files of the customer like any other
upload, kept as long as the customer's documents) stay, for the people who review them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from openkyc import clock
from openkyc.analysis import CHALLENGE_STEPS, LivenessFrame, LivenessResult
from openkyc.config import Settings
from openkyc.db.ids import new_id
from openkyc.db.models import KycDocument, KycLivenessSession, KycRequest
from openkyc.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from openkyc.files import service as files
from openkyc.files.content import JPEG, PNG, WEBP, ContentRefused, inspect_content
from openkyc.files.enums import SourceType
from openkyc.files.schemas import FileFields, Upload
from openkyc.jobs import queue
from openkyc.kyc.enums import FACE_PROOF, IDENTITY
from openkyc.kyc.liveness.enums import LivenessStatus
from openkyc.kyc.liveness.repository import LivenessRepository
from openkyc.kyc.requests import service as kyc_requests
from openkyc.kyc.status import PERMANENT
from openkyc.principal import Principal
from openkyc.storage import Storage, StoredObjectMissing
from openkyc.storage.transactional import delete_after_commit, put_until_rollback

CHECK_LIVENESS = "check-kyc-liveness"
LIFETIME = timedelta(minutes=5)
MAX_FRAMES = 40
MAX_FRAME_BYTES = 512 * 1024
MAX_SESSIONS_PER_REQUEST = 10
CHALLENGE_LENGTH = 4  # poses after the first, frontal one
FRAME_TYPES = (JPEG, PNG, WEBP)
SELFIE_TAGS = ["kyc", FACE_PROOF]
STILL_TAGS = ["kyc", "liveness-still"]
# Frames are stored under <organization>/liveness/<session>/<nn>, outside the files.
FRAMES = "liveness"


def new_challenge(choice: Any = secrets.choice) -> list[str]:
    """``centre`` then four poses, both turns among them, never the same pose twice in a row
    (62 sequences)."""
    poses = [step for step in CHALLENGE_STEPS if step != "centre"]
    while True:
        sequence: list[str] = []
        while len(sequence) < CHALLENGE_LENGTH:
            step = choice(poses)
            if not sequence or sequence[-1] != step:
                sequence.append(step)
        if {"turn-left", "turn-right"} <= set(sequence):
            return ["centre", *sequence]


def _open_request(session: Session, principal: Principal, request_id: str) -> KycRequest:
    request = kyc_requests.find(session, principal.organization_id, request_id)
    if (
        request is None
        or request_id != principal.request_id
        or request.customer_id != principal.customer_id
    ):
        raise ValidationFailed.field("kycRequestId", "not the KYC request of this token")
    if request.status in PERMANENT or clock.now() >= request.expiration_time:
        raise Conflict(f"KYC request {request.id} is closed")
    if not any(d["type"] == IDENTITY for d in request.documents):
        raise ValidationFailed.field("kycRequestId", "the request does not ask for identity proof")
    return request


def create(session: Session, principal: Principal, request_id: str) -> KycLivenessSession:
    """A new session with its own random challenge, for the token's request."""
    request = _open_request(session, principal, request_id)
    repository = LivenessRepository(session, principal.organization_id)
    if repository.count_for_request(request.id) >= MAX_SESSIONS_PER_REQUEST:
        raise Conflict(f"KYC request {request.id} has used all its liveness sessions")
    now = clock.now()
    liveness = KycLivenessSession(
        id=new_id("kyc_liv"),
        organization_id=principal.organization_id,
        customer_id=request.customer_id,
        request_id=request.id,
        status=LivenessStatus.PENDING,
        challenge=new_challenge(),
        frames=[],
        expiration_time=min(now + LIFETIME, request.expiration_time),
        revision=0,
        created_time=now,
        updated_time=now,
    )
    return repository.add(liveness)


def _abandon_if_late(liveness: KycLivenessSession, now: datetime) -> None:
    late = now >= liveness.expiration_time
    if liveness.status == LivenessStatus.PENDING and liveness.finish_time is None and late:
        liveness.status = LivenessStatus.ABANDONED
        liveness.failure_reason = "the session timed out before it was finished"
        liveness.touch()


def get(
    session: Session, principal: Principal, session_id: str, *, for_update: bool = False
) -> KycLivenessSession:
    """The customer's own session (another's is not found); a late one is abandoned."""
    liveness = LivenessRepository(session, principal.organization_id).get(
        session_id, for_update=for_update
    )
    if (
        liveness is None
        or liveness.customer_id != principal.customer_id
        or liveness.request_id != principal.request_id
    ):
        raise NotFound.resource("KYC liveness session", session_id)
    _abandon_if_late(liveness, clock.now())
    return liveness


def _ensure_recording(liveness: KycLivenessSession) -> None:
    if liveness.status != LivenessStatus.PENDING or liveness.finish_time is not None:
        raise Conflict(f"KYC liveness session {liveness.id} is {liveness.status}: start a new one")


def _frame_type(data: bytes, settings: Settings) -> None:
    if len(data) > MAX_FRAME_BYTES:
        raise PayloadTooLarge(f"A frame is at most {MAX_FRAME_BYTES} bytes")
    try:
        content = inspect_content(data, settings.max_image_pixels, settings.upload_decode_bytes)
    except ContentRefused as refused:
        raise ValidationFailed.field("frame", str(refused)) from refused
    if content.type not in FRAME_TYPES:
        raise ValidationFailed.field("frame", "a frame is a JPEG, PNG or WebP picture")


def _frame_key(liveness: KycLivenessSession) -> str:
    return f"{liveness.organization_id}/{FRAMES}/{liveness.id}/{len(liveness.frames):02d}"


def frame_keys_in_use(session: Session, organization_id: str, keys: Sequence[str]) -> set[str]:
    """Which of these storage keys hold frames a liveness check still needs: those of sessions
    that are recording or waiting for their check. A decided session's frames are not needed
    any more (the selfie it kept is a file of its own)."""
    prefix = f"{organization_id}/{FRAMES}/"
    session_ids = {k.removeprefix(prefix).split("/")[0] for k in keys if k.startswith(prefix)}
    if not session_ids:
        return set()
    pending = LivenessRepository(session, organization_id).pending_among(sorted(session_ids))
    return {frame["key"] for liveness in pending for frame in liveness.frames} & set(keys)


def add_frame(
    session: Session,
    storage: Storage,
    settings: Settings,
    principal: Principal,
    session_id: str,
    step: int,
    data: bytes,
) -> KycLivenessSession:
    """One camera frame, taken while challenge step ``step`` was shown."""
    liveness = get(session, principal, session_id, for_update=True)
    _ensure_recording(liveness)
    if not 0 <= step < len(liveness.challenge):
        raise ValidationFailed.field(
            "step", f"a step of the challenge: 0 to {len(liveness.challenge) - 1}"
        )
    if len(liveness.frames) >= MAX_FRAMES:
        raise Conflict(f"A liveness session takes at most {MAX_FRAMES} frames")
    _frame_type(data, settings)
    key = _frame_key(liveness)
    put_until_rollback(session, storage, key, data)
    received = clock.now()
    liveness.frames = [
        *liveness.frames,
        {"key": key, "step": step, "receivedTime": received.isoformat()},
    ]
    liveness.touch()
    session.flush()
    return liveness


def finish(session: Session, principal: Principal, session_id: str) -> KycLivenessSession:
    """The customer is done: the check runs in the background; the session stays
    ``pending`` until it decides."""
    liveness = get(session, principal, session_id, for_update=True)
    _ensure_recording(liveness)
    liveness.finish_time = clock.now()
    liveness.touch()
    queue.enqueue(
        session,
        liveness.organization_id,
        CHECK_LIVENESS,
        {"sessionId": liveness.id},
        max_attempts=3,
    )
    session.flush()
    return liveness


@dataclass(frozen=True)
class PreparedCheck:
    frames: tuple[LivenessFrame, ...]
    challenge: tuple[str, ...]


def _awaiting_check(
    session: Session, organization_id: str, payload: dict[str, Any]
) -> KycLivenessSession | None:
    liveness = LivenessRepository(session, organization_id).get(
        payload["sessionId"], for_update=True
    )
    if (
        liveness is None
        or liveness.status != LivenessStatus.PENDING
        or liveness.finish_time is None
    ):
        return None
    return liveness


def prepare(
    session: Session, storage: Storage, organization_id: str, payload: dict[str, Any]
) -> PreparedCheck | None:
    liveness = _awaiting_check(session, organization_id, payload)
    if liveness is None:
        return None
    try:
        frames = tuple(
            LivenessFrame(storage.get(f["key"]), int(f["step"])) for f in liveness.frames
        )
    except StoredObjectMissing:
        frames = ()
    return PreparedCheck(frames, tuple(liveness.challenge))


def still_frames(frames: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One frame of each step of the challenge that frames arrived for: the middle one of
    the step's frames, in the challenge's order."""
    by_step: dict[int, list[dict[str, Any]]] = {}
    for frame in frames:
        by_step.setdefault(int(frame["step"]), []).append(frame)
    return [shown[len(shown) // 2] for _, shown in sorted(by_step.items())]


def _keep_stills(
    session: Session, storage: Storage, settings: Settings, liveness: KycLivenessSession
) -> None:
    kept: list[dict[str, Any]] = []
    for frame in still_frames(liveness.frames):
        step = int(frame["step"])
        pose = liveness.challenge[step] if step < len(liveness.challenge) else "unknown"
        try:
            data = storage.get(frame["key"])
        except StoredObjectMissing:
            continue
        upload = Upload(
            FileFields(
                name=f"liveness-{step}-{pose}.jpg", tags=STILL_TAGS, sourceType=SourceType.CAMERA
            ),
            data=data,
        )
        still = files.create(
            session,
            storage,
            settings,
            liveness.organization_id,
            upload,
            customer_id=liveness.customer_id,
        )
        kept.append({"fileId": still.id, "step": step, "pose": pose})
    liveness.stills = kept


def _forget_frames(session: Session, storage: Storage, liveness: KycLivenessSession) -> None:
    for frame in liveness.frames:
        delete_after_commit(session, storage, frame["key"])


def apply(
    session: Session,
    storage: Storage,
    settings: Settings,
    organization_id: str,
    payload: dict[str, Any],
    result: LivenessResult,
) -> None:
    """Record the decision; on success the frontal frame becomes the selfie file."""
    liveness = _awaiting_check(session, organization_id, payload)
    if liveness is None:
        return
    liveness.result = result.to_dict()
    if result.passed and result.reference_index is not None:
        frame = liveness.frames[result.reference_index]
        upload = Upload(
            FileFields(name="liveness-selfie.jpg", tags=SELFIE_TAGS, sourceType=SourceType.CAMERA),
            data=storage.get(frame["key"]),
        )
        selfie = files.create(
            session, storage, settings, organization_id, upload, customer_id=liveness.customer_id
        )
        liveness.reference_file_id = selfie.id
        liveness.status = LivenessStatus.SUCCEEDED
    else:
        liveness.status = LivenessStatus.FAILED
        liveness.failure_reason = result.reason
    _keep_stills(session, storage, settings, liveness)
    _forget_frames(session, storage, liveness)
    liveness.touch()
    session.flush()


def unchecked(session: Session, organization_id: str, payload: dict[str, Any], reason: str) -> None:
    """The check could not run (unreadable frames, the analyser failing): the session fails
    and the customer may try again with a new one."""
    liveness = _awaiting_check(session, organization_id, payload)
    if liveness is None:
        return
    liveness.status = LivenessStatus.FAILED
    liveness.failure_reason = reason[:255]
    liveness.touch()
    session.flush()


def ensure_live_selfie(session: Session, request: KycRequest, file_ids: list[str]) -> None:
    """When the request asks for liveness, an identity document's selfie must be the one a
    succeeded liveness session of this request kept."""
    found = LivenessRepository(session, request.organization_id).succeeded_with_reference(
        request.id, file_ids
    )
    if found is None:
        raise ValidationFailed.field(
            "fileIds",
            "this request asks for a face liveness check: complete one, then use its selfie",
        )


def completed_for(session: Session, document: KycDocument) -> bool:
    """Whether the document's selfie comes from a succeeded liveness session of its request."""
    if document.request_id is None or document.document_type != IDENTITY:
        return False
    found = LivenessRepository(session, document.organization_id).succeeded_with_reference(
        document.request_id, list(document.file_ids)
    )
    return found is not None


def move_to_customer(
    session: Session, organization_id: str, customer_id: str, target_id: str
) -> None:
    """The customer's liveness sessions become the target customer's."""
    for liveness in LivenessRepository(session, organization_id).for_customer(customer_id):
        liveness.customer_id = target_id
        liveness.touch()
    session.flush()


def for_request(
    session: Session, organization_id: str, customer_id: str, request_id: str
) -> list[KycLivenessSession]:
    """The face-liveness sessions of one of the customer's requests (their frames are gone
    once checked; a still of each pose stays, and a succeeded session's frontal frame is the
    selfie file)."""
    sessions = LivenessRepository(session, organization_id).for_customer(customer_id)
    return sorted((s for s in sessions if s.request_id == request_id), key=lambda s: s.created_time)
