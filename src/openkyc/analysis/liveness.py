"""Face liveness from a short camera sequence and a random challenge.

The customer is shown a random sequence of poses (look at the camera, then for example
turn left, tilt right, turn right, tilt left) and the camera sends a few frames while each
pose is shown. Only dlib's five landmarks are available (two corners of each eye and the
base of the nose), so the poses are the ones five points can measure:

- **turn** (yaw): the base of the nose moves sideways relative to the eye corners when a
  head turns, because the nose stands out of the face (parallax). On a flat picture it
  stays between the eyes whichever way the picture is turned (up to perspective, see
  ``docs/liveness.md``). Measured as the nose's offset from the midpoint of the eyes along
  the eye line, in inter-eye distances, so it does not depend on size or in-plane tilt.
- **tilt** (roll): the angle of the eye line. A picture can be tilted too: tilts only add
  randomness to the sequence, the turns carry the 3-D evidence.

The decision (:func:`check_liveness`): a face in the frames of every step, the first step
facing the camera, frames that are not all the same picture, each later step's pose reached
in its own frames (relative to the first step; turns without rolling), and the frames that
reached them showing the same person as the most frontal frame (128-d embeddings within
:data:`SAME_PERSON`; only those frames are embedded, the costly part). The most
frontal frame is returned so the caller can keep it as the customer's selfie, which the
identity analysis then matches with the document's portrait.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import pairwise
from statistics import median
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from openkyc.analysis.engines import Engines, Face, default_engines
from openkyc.analysis.errors import UnreadableFile, UnsupportedInput

__all__ = [
    "CHALLENGE_STEPS",
    "FramePose",
    "LivenessFrame",
    "LivenessResult",
    "check_liveness",
    "pose_of",
]

CENTRE, TURN_LEFT, TURN_RIGHT, TILT_LEFT, TILT_RIGHT = (
    "centre",
    "turn-left",
    "turn-right",
    "tilt-left",
    "tilt-right",
)
CHALLENGE_STEPS = (CENTRE, TURN_LEFT, TURN_RIGHT, TILT_LEFT, TILT_RIGHT)
# A head turned by about 30 degrees moves the base of the nose by 0.15-0.2 inter-eye
# distances (the nose base stands 1.5-2 cm in front of the eye corners, which are about
# 6.3 cm apart); a flat photo turned by 45 degrees in front of a wide lens reached 0.14.
TURN = 0.15
# Turning must not be done by rolling: a turned flat photo seen in perspective rolls.
TURN_MAX_ROLL = 10.0
TILT = 12.0  # degrees
CENTRE_YAW, CENTRE_ROLL = 0.10, 15.0
SAME_PERSON = 0.6  # dlib's embedding distance for one person (99.4% on LFW)
# A second face at least this large (relative to the first) means someone, or a picture of
# someone, is in the frame too.
SECOND_FACE = 0.35
STILL = 0.8  # mean absolute difference (0-255) below which two frames are the same picture
MAX_SIDE = 640


@dataclass(frozen=True)
class LivenessFrame:
    """One camera frame: its bytes (JPEG, PNG or WebP) and the challenge step shown."""

    data: bytes
    step: int


@dataclass(frozen=True)
class FramePose:
    """What one frame showed: whether a face, its yaw (inter-eye distances, positive when
    the nose moved to the image's right: the customer turned to their left), roll (degrees,
    positive when the eye on the image's right is lower: tilted to their left) and, for the
    frames that met a step, the embedding distance from the kept selfie's face."""

    step: int
    faces: int
    yaw: float | None = None
    roll: float | None = None
    distance: float | None = None


@dataclass(frozen=True)
class LivenessResult:
    """The decision: ``passed``, the ``reason`` when not (a code: ``no-frames``,
    ``face-not-seen``, ``several-faces``, ``not-facing-camera``, ``different-person``,
    ``still-image``, ``challenge-not-met``), the step that failed, the index of the frame to
    keep as the selfie, and every frame's pose."""

    passed: bool
    reason: str | None
    failed_step: int | None
    reference_index: int | None
    poses: tuple[FramePose, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "failedStep": self.failed_step,
            "referenceIndex": self.reference_index,
            "poses": [_rounded(asdict(pose)) for pose in self.poses],
        }


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


def pose_of(landmarks: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(yaw, roll) of a face from dlib's five landmarks (see :class:`FramePose`)."""
    if len(landmarks) != 5:
        raise UnsupportedInput("a pose needs the five landmarks of dlib's 5-point model")
    points = np.asarray(landmarks, dtype=float)
    right_eye, left_eye = points[0:2].mean(axis=0), points[2:4].mean(axis=0)
    across = right_eye - left_eye
    distance = float(np.linalg.norm(across))
    if distance < 1e-6:
        raise UnsupportedInput("the eyes of the face coincide")
    direction = across / distance
    nose = points[4] - (right_eye + left_eye) / 2
    yaw = float(nose @ direction) / distance
    roll = math.degrees(math.atan2(across[1], across[0]))
    return yaw, roll


def _pixels(data: bytes, index: int) -> np.ndarray:
    try:
        opened = Image.open(io.BytesIO(data))
        opened.load()
    except Exception as exc:  # Pillow raises many types for broken input
        raise UnreadableFile(f"frame {index} is not an image: {exc}", index=index) from exc
    picture = ImageOps.exif_transpose(opened).convert("RGB")
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    return np.asarray(picture)


@dataclass
class _Seen:
    step: int
    faces: list[Face]
    image: np.ndarray

    @property
    def face(self) -> Face | None:
        return self.faces[0] if self.faces else None


def _distance(a: Face, b: Face) -> float:
    return float(np.linalg.norm(np.array(a.embedding) - np.array(b.embedding)))


def _several(faces: list[Face]) -> bool:
    return len(faces) > 1 and faces[1].area >= SECOND_FACE * faces[0].area


def _is_still(seen: list[_Seen]) -> bool:
    """Every frame the same picture: a still image sent as a video."""
    small = [_thumbnail(item.image) for item in seen]
    return all(float(np.abs(a - b).mean()) < STILL for a, b in pairwise(small))


def _thumbnail(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).convert("L").resize((64, 64)), float)


def _reached(step: str, yaw: float, roll: float, base_yaw: float, base_roll: float) -> bool:
    turned, rolled = yaw - base_yaw, roll - base_roll
    if step == TURN_LEFT:
        return turned >= TURN and abs(rolled) <= TURN_MAX_ROLL
    if step == TURN_RIGHT:
        return turned <= -TURN and abs(rolled) <= TURN_MAX_ROLL
    if step == TILT_LEFT:
        return rolled >= TILT
    if step == TILT_RIGHT:
        return rolled <= -TILT
    return abs(turned) < TURN / 2 and abs(rolled) < TILT / 2


def _result(
    reason: str | None,
    poses: list[FramePose],
    *,
    step: int | None = None,
    reference: int | None = None,
) -> LivenessResult:
    return LivenessResult(reason is None, reason, step, reference, tuple(poses))


def _poses(seen: list[_Seen]) -> list[FramePose]:
    poses = []
    for item in seen:
        face = item.face
        if face is None or len(face.landmarks) != 5:
            poses.append(FramePose(item.step, len(item.faces)))
            continue
        yaw, roll = pose_of(face.landmarks)
        poses.append(FramePose(item.step, len(item.faces), yaw, roll))
    return poses


def _reference(seen: list[_Seen]) -> int | None:
    """The most frontal frame of the first step: the selfie to keep."""
    best: tuple[float, int] | None = None
    for index, item in enumerate(seen):
        face = item.face
        if item.step != 0 or face is None or len(face.landmarks) != 5:
            continue
        yaw, roll = pose_of(face.landmarks)
        score = abs(yaw) + abs(roll) / 90
        if best is None or score < best[0]:
            best = (score, index)
    return best[1] if best else None


def check_liveness(
    frames: Sequence[LivenessFrame], challenge: Sequence[str], engines: Engines | None = None
) -> LivenessResult:
    """Whether ``frames`` show one live person meeting ``challenge`` (steps of
    :data:`CHALLENGE_STEPS`, the first one ``centre``), frame steps being indices into it."""
    if not challenge or challenge[0] != CENTRE or any(s not in CHALLENGE_STEPS for s in challenge):
        raise UnsupportedInput("a challenge starts with centre and names known steps")
    if any(not 0 <= f.step < len(challenge) for f in frames):
        raise UnsupportedInput("a frame names a step outside the challenge")
    finder = (engines or default_engines()).faces
    seen = []
    for index, frame in enumerate(frames):
        image = _pixels(frame.data, index)
        # Landmarks for every frame; embeddings (the costly part) only where they decide.
        seen.append(_Seen(frame.step, finder.faces(image, embed=False), image))

    def embedded(index: int) -> Face | None:
        faces = finder.faces(seen[index].image)
        return faces[0] if faces else None

    return _decide(seen, challenge, embedded)


def _decide(
    seen: list[_Seen], challenge: Sequence[str], embedded: Callable[[int], Face | None]
) -> LivenessResult:
    if not seen:
        return _result("no-frames", [])
    poses = _poses(seen)
    with_face = [p for p in poses if p.yaw is not None]
    for step in range(len(challenge)):
        if not any(p.step == step for p in with_face):
            return _result("face-not-seen", poses, step=step)
    if any(_several(item.faces) for item in seen):
        return _result("several-faces", poses)
    first = [p for p in with_face if p.step == 0]
    base_yaw = median(p.yaw for p in first if p.yaw is not None)
    base_roll = median(p.roll for p in first if p.roll is not None)
    if abs(base_yaw) > CENTRE_YAW or abs(base_roll) > CENTRE_ROLL:
        return _result("not-facing-camera", poses, step=0)
    if _is_still(seen):
        return _result("still-image", poses)
    reached = []
    for step, name in enumerate(challenge[1:], start=1):
        index = next(
            (
                i
                for i, p in enumerate(poses)
                if p.step == step
                and p.yaw is not None
                and _reached(name, p.yaw, p.roll or 0.0, base_yaw, base_roll)
            ),
            None,
        )
        if index is None:
            return _result("challenge-not-met", poses, step=step)
        reached.append(index)
    return _same_person(poses, _reference(seen), reached, embedded)


def _same_person(
    poses: list[FramePose],
    reference_index: int | None,
    reached: list[int],
    embedded: Callable[[int], Face | None],
) -> LivenessResult:
    """The frames that met the challenge show the face of the selfie that will be kept."""
    reference = embedded(reference_index) if reference_index is not None else None
    if reference is None:
        return _result("face-not-seen", poses, step=0)
    for index in reached:
        face = embedded(index)
        distance = _distance(face, reference) if face is not None else None
        poses[index] = replace(poses[index], distance=distance)
        if distance is None or distance > SAME_PERSON:
            return _result("different-person", poses)
    return _result(None, poses, reference=reference_index)
