"""Driving the gatherer in headless Chromium (Debian's package) with Playwright: the
customer's side of the browser tests, screenshots of each step, and a camera that shows
the drawn face in the pose the page asks for."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter
from playwright.sync_api import Browser, Page, Playwright

from tests.analysis import poses

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
TIMINGS = ROOT / ".artifacts" / "gatherer-timings.jsonl"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


def launch(playwright: Playwright, camera: Path | None = None) -> Browser:
    """Chromium; with ``camera``, its camera films that video file (Y4M) in a loop and
    every page may use it (Chromium's own fake capture device, no script in the page)."""
    args = list(CHROMIUM_ARGS)
    if camera is not None:
        args += [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}",
        ]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def y4m(
    picture: Image.Image,
    path: Path,
    *,
    size: tuple[int, int] = (1280, 720),
    blur: float = 0,
    fill: float = 0.8,
) -> Path:
    """A still video (Y4M, 4:2:0, 10 frames at 10 fps) of ``picture`` on a dark desk,
    centred, ``fill`` of the frame's width or height (0.8: a margin all round; above 1 the
    phone is held too close and the document runs off every side): what a phone held over
    the document films (``blur``: out of focus by that radius, desk and all)."""
    width, height = size
    frame = Image.new("RGB", size, (58, 50, 44))
    factor = min(width * fill / picture.width, height * fill / picture.height)
    fitted = picture.resize((round(picture.width * factor), round(picture.height * factor)))
    frame.paste(fitted, ((width - fitted.width) // 2, (height - fitted.height) // 2))
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + planes)
    return path


def _data_url(picture: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(picture).decode()


def camera_script(person: str) -> str:
    """Replace the camera with a canvas showing ``person`` in the pose the page shows in
    ``[data-liveness-step]``: a customer who follows each instruction."""
    pictures = {
        step: _data_url(poses.jpeg(poses.posed(person, step)))
        for step in ("centre", "turn-left", "turn-right", "tilt-left", "tilt-right")
    }
    return (
        "(() => {"
        f"const sources = {json.dumps(pictures)};"
        "const images = {};"
        "for (const [pose, src] of Object.entries(sources)) {"
        "  const image = new Image(); image.src = src; images[pose] = image; }"
        "const canvas = document.createElement('canvas'); canvas.width = 480; canvas.height = 360;"
        "const context = canvas.getContext('2d'); let tick = 0;"
        "setInterval(() => {"
        "  const shown = document.querySelector('[data-liveness-step]');"
        "  const image = images[shown ? shown.dataset.livenessStep : 'centre'] || images.centre;"
        "  tick += 1;"
        "  if (image.complete) context.drawImage(image, (tick % 3) - 1, 0, 480, 360);"
        "}, 50);"
        "navigator.mediaDevices.getUserMedia = async () => canvas.captureStream(15);"
        "})();"
    )


@dataclass
class Customer:
    """The customer at one viewport, with a screenshot of each step."""

    page: Page
    name: str
    shots: list[Path] = field(default_factory=list)

    def shot(self, step: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.shots.append(path)
        return path

    def open(self, link: str, language: str | None = None) -> None:
        self.page.goto(link + (f"&lang={language}" if language else ""))
        self.page.wait_for_selector(".card")

    def reopen(self, link: str) -> int:
        """Open a link that shows a message page; returns the HTTP status."""
        response = self.page.goto(link)
        assert response is not None
        return response.status

    def leave_closed_page(self) -> str:
        with self.page.expect_request(re.compile(r"^https://shop\.example/")) as went:
            self.page.click("#continue")
        return went.value.url

    def choose(self, document_type: str, subtype: str) -> None:
        self.page.check(f"#subtype-{document_type}-{subtype}")

    def consent(self, document_type: str = "identity-proof") -> None:
        """Agree to pictures of the face, as the page asks before any is taken."""
        self.page.check(f"#consent-{document_type}")
        self.page.wait_for_selector(
            f"fieldset.consent.agreed #consent-{document_type}:not([disabled])"
        )

    def attach(self, document_type: str, slot: str, picture: Path) -> None:
        if slot == "face-proof" and not self.page.is_checked(f"#consent-{document_type}"):
            self.consent(document_type)
        self.page.set_input_files(f"#file-{document_type}-{slot}", str(picture))
        self.page.wait_for_selector(f".slot.filled[data-slot='{slot}']")

    def face_check(self, document_type: str = "identity-proof") -> None:
        if not self.page.is_checked(f"#consent-{document_type}"):
            self.consent(document_type)
        self.page.click(f"#liveness-{document_type}")
        self.page.wait_for_selector(
            "[data-liveness-step='turn-left'], [data-liveness-step='turn-right']"
        )
        self.shot("face-check")
        self.page.wait_for_selector(".liveness .progress-text")  # the last frame is taken
        started = time.monotonic()
        self.page.wait_for_selector(f"#liveness-passed-{document_type}", timeout=90_000)
        self._timed(document_type + " face check", time.monotonic() - started)

    def send(self, document_type: str) -> dict[str, Any]:
        """Send the document and wait for its result; returns what the page said."""
        earlier = self._attribute(f"#result-{document_type}", "data-document")
        started = time.monotonic()
        self.page.click(f"#send-{document_type}")
        self.page.wait_for_selector(f"#progress-{document_type}")
        self.shot(f"{document_type}-checking", full_page=False)  # quick: the clock runs
        fresh = f"#result-{document_type}" + (
            f":not([data-document='{earlier}'])" if earlier else ""
        )
        result = self.page.wait_for_selector(fresh, timeout=120_000)
        assert result is not None
        seconds = time.monotonic() - started
        outcome = {
            "class": result.get_attribute("class") or "",
            "text": result.inner_text(),
            "reason": self._attribute(f"#result-{document_type} [data-reason]", "data-reason"),
            "hints": [
                h.get_attribute("data-hint")
                for h in self.page.query_selector_all(f"#result-{document_type} [data-hint]")
            ],
        }
        self._timed(document_type, seconds)
        return outcome

    def _timed(self, what: str, seconds: float) -> None:
        """Upload (or, for the face check, last frame) to result, for the report."""
        TIMINGS.parent.mkdir(parents=True, exist_ok=True)
        with TIMINGS.open("a") as out:
            out.write(json.dumps({"test": self.name, "type": what, "seconds": round(seconds, 2)}))
            out.write("\n")

    def send_after_attach(self, document_type: str, picture: Path) -> dict[str, Any]:
        self.attach(
            document_type, "id-front" if document_type == "identity-proof" else "document", picture
        )
        return self.send(document_type)

    def _attribute(self, selector: str, name: str) -> str | None:
        found = self.page.query_selector(selector)
        return found.get_attribute(name) if found else None

    def finish(self) -> str:
        """Leave through the page's last button; returns where the browser went."""
        self.page.wait_for_selector("#continue")
        self.shot("done")
        # The shop's site is not reachable from the test machine: where the browser goes is
        # the request it makes (route handlers do not see the targets of redirects).
        with self.page.expect_request(re.compile(r"^https://shop\.example/")) as went:
            self.page.click("#continue")
        return went.value.url


@contextmanager
def customer_at(
    browser: Browser,
    viewport: str,
    name: str,
    person: str = "collins",
    *,
    drawn_camera: bool = True,
) -> Iterator[Customer]:
    """A customer at ``viewport``; ``drawn_camera`` replaces the camera with the drawn face
    that follows the face check's instructions (off: the browser's own camera)."""
    context = browser.new_context(**VIEWPORTS[viewport], locale="en-GB")
    if drawn_camera:
        context.add_init_script(camera_script(person))
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield Customer(page, name)
    finally:
        context.close()
