"""Camera frames of a face in the poses of a liveness challenge, drawn from the shipped
portraits.

A turned head is imitated by moving the middle of the face (the nose) sideways while the
eyes stay: the parallax a real turn makes, which is what the check measures, so these
frames test the measurement and the decision, not how real people move (see
docs/liveness.md). A flat photo turned in front of a camera is a true perspective warp.
"""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
from PIL import Image

from tests.analysis.documents import face

FRAME = (480, 360)
# Where the portraits' features are (from dlib's landmarks on the fixtures).
NOSE = {"collins": (124.0, 124.0), "hopper": (121.0, 144.0)}
EYES = {"collins": 43.0, "hopper": 57.0}
TURN = 0.55  # how far the nose moves, in inter-eye distances, at the peak of a turn
TILT = 18.0  # degrees


@cache
def _portrait(name: str) -> np.ndarray:
    return np.asarray(face(name))


def _turned(image: np.ndarray, name: str, amount: float) -> np.ndarray:
    """The nose moved ``amount`` inter-eye distances to the image's right (a turn to the
    person's left), falling off smoothly so the eyes barely move."""
    (nose_x, nose_y), eyes = NOSE[name], EYES[name]
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    sigma = 0.55 * eyes
    weight = np.exp(-((xs - nose_x) ** 2 + (ys - (nose_y - 0.1 * eyes)) ** 2) / (2 * sigma**2))
    shift = (amount * eyes * weight).astype(np.float32)
    return cv2.remap(image, xs - shift, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _tilted(image: np.ndarray, degrees: float) -> np.ndarray:
    """Rolled so the eye on the image's right goes down by ``degrees`` (to the person's left)."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2.6), -degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def posed(name: str, step: str) -> Image.Image:
    """The portrait in a room-coloured 480 x 360 camera frame, in the pose ``step`` asks."""
    portrait = _portrait(name)
    if step == "turn-left":
        portrait = _turned(portrait, name, TURN)
    elif step == "turn-right":
        portrait = _turned(portrait, name, -TURN)
    elif step == "tilt-left":
        portrait = _tilted(portrait, TILT)
    elif step == "tilt-right":
        portrait = _tilted(portrait, -TILT)
    return _in_frame(portrait)


def _in_frame(portrait: np.ndarray, jitter: int = 0) -> Image.Image:
    frame = Image.new("RGB", FRAME, (112, 104, 96))
    picture = Image.fromarray(portrait).resize((225, 288))
    frame.paste(picture, ((FRAME[0] - 225) // 2 + jitter, 30))
    return frame


def flat_photo_turned(name: str, degrees: float, focal: float = 1.0) -> Image.Image:
    """The portrait printed on paper and turned by ``degrees`` about its vertical axis in
    front of a lens of focal length ``focal`` frame widths (1.0 is a phone's front camera)."""
    frame = np.asarray(_in_frame(_portrait(name)))
    height, width = frame.shape[:2]
    f = focal * width
    angle = np.radians(degrees)
    rotation = np.array(
        [[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]]
    )
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    projected = []
    for corner_x, corner_y in corners:
        flat = np.array([corner_x - width / 2, corner_y - height / 2, 0.0])
        point = rotation @ flat + np.array([0, 0, f])
        x, y = f * point[0] / point[2], f * point[1] / point[2]
        projected.append([x + width / 2, y + height / 2])
    matrix = cv2.getPerspectiveTransform(corners, np.array(projected, dtype=np.float32))
    warped = cv2.warpPerspective(frame, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(warped)


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def sequence(name: str, challenge: list[str], per_step: int = 3) -> list[tuple[bytes, int]]:
    """Frames of a cooperative customer: a few per step, the pose held with a slight sway."""
    frames = []
    for step, pose in enumerate(challenge):
        picture = np.asarray(posed(name, pose))
        for i in range(per_step):
            shifted = np.roll(picture, i - 1, axis=1)  # the hand-held camera moves a little
            frames.append((jpeg(Image.fromarray(shifted)), step))
    return frames
