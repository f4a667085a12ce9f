"""Documents the tests make themselves: MRZ text with real check digits, passports and ID
cards drawn with Pillow's own bundled font, photos of them, and PDF bills.

Nothing here reads a file from outside the repository: the faces come from
``fixtures/`` (public-domain portraits, see its README) and the font is the one
Pillow ships inside its wheel.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from openkyc.analysis.mrz import mrz_check_digit

FIXTURES = Path(__file__).parent / "fixtures"
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def face(name: str) -> Image.Image:
    """A shipped portrait: ``collins`` (the customer) or ``hopper`` (someone else)."""
    return Image.open(FIXTURES / f"{name}.jpg").convert("RGB")


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Holder:
    """What is printed on a test document."""

    surname: str = "COLLINS"
    given_names: str = "EILEEN MARIE"
    number: str = "X4821937"
    nationality: str = "GBR"
    issuer: str = "GBR"
    birth_date: date = date(1986, 11, 19)
    sex: str = "F"
    issue_date: date = date(2021, 3, 2)
    expiry_date: date = date(2031, 3, 1)
    portrait: str = "collins"

    def but(self, **changes: object) -> Holder:
        return replace(self, **changes)  # type: ignore[arg-type]


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def _pad(value: str, length: int) -> str:
    return value.replace(" ", "<").ljust(length, "<")[:length]


def _names(holder: Holder, length: int) -> str:
    return _pad(f"{holder.surname}<<{holder.given_names}", length)


def td3(holder: Holder) -> list[str]:
    number = _pad(holder.number, 9)
    line2 = (
        number
        + mrz_check_digit(number)
        + holder.nationality
        + _yymmdd(holder.birth_date)
        + mrz_check_digit(_yymmdd(holder.birth_date))
        + holder.sex
        + _yymmdd(holder.expiry_date)
        + mrz_check_digit(_yymmdd(holder.expiry_date))
        + "<" * 14
        + "<"
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return [_pad(f"P<{holder.issuer}", 5) + _names(holder, 39), line2 + mrz_check_digit(composite)]


def td1(holder: Holder) -> list[str]:
    number = _pad(holder.number, 9)
    line1 = _pad(f"ID{holder.issuer}{number}{mrz_check_digit(number)}", 30)
    line2 = (
        _yymmdd(holder.birth_date)
        + mrz_check_digit(_yymmdd(holder.birth_date))
        + holder.sex
        + _yymmdd(holder.expiry_date)
        + mrz_check_digit(_yymmdd(holder.expiry_date))
        + holder.nationality
        + "<" * 11
    )
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    return [line1, line2 + mrz_check_digit(composite), _names(holder, 30)]


def td2(holder: Holder, code: str = "I") -> list[str]:
    number = _pad(holder.number, 9)
    line2 = (
        number
        + mrz_check_digit(number)
        + holder.nationality
        + _yymmdd(holder.birth_date)
        + mrz_check_digit(_yymmdd(holder.birth_date))
        + holder.sex
        + _yymmdd(holder.expiry_date)
        + mrz_check_digit(_yymmdd(holder.expiry_date))
        + "<" * 7
    )
    composite = line2[0:10] + line2[13:20] + line2[21:35]
    line1 = _pad(f"{code}<{holder.issuer}", 5) + _names(holder, 31)
    return [line1, line2 + mrz_check_digit(composite)]


def mrv(holder: Holder, length: int) -> list[str]:
    """A visa: MRV-A (44 characters) or MRV-B (36), no composite check digit."""
    number = _pad(holder.number, 9)
    line2 = (
        number
        + mrz_check_digit(number)
        + holder.nationality
        + _yymmdd(holder.birth_date)
        + mrz_check_digit(_yymmdd(holder.birth_date))
        + holder.sex
        + _yymmdd(holder.expiry_date)
        + mrz_check_digit(_yymmdd(holder.expiry_date))
    )
    return [_pad(f"V<{holder.issuer}", 5) + _names(holder, length - 5), _pad(line2, length)]


def french_id(holder: Holder, number: str = "880692310285") -> list[str]:
    """France's national identity card of 1988-2021: no ICAO layout, a twelve-character
    number, the given names on the second line, no expiry date."""
    line1 = _pad(f"IDFRA{holder.surname}", 30) + "075025"
    line2 = (
        number
        + mrz_check_digit(number)
        + _pad(holder.given_names.replace(" ", "<<"), 14)
        + _yymmdd(holder.birth_date)
        + mrz_check_digit(_yymmdd(holder.birth_date))
        + holder.sex
    )
    return [line1, line2 + mrz_check_digit(line1 + line2)]


def made_up_check_digits(lines: list[str], *positions: tuple[int, int]) -> list[str]:
    """``lines`` with the check digits at ``positions`` (line, column) printed wrong, as
    on samples and specimens that print made-up ones."""
    rows = [list(line) for line in lines]
    for row, column in positions:
        rows[row][column] = str((int(rows[row][column]) + 5) % 10)
    return ["".join(row) for row in rows]


def card_back(mrz: list[str]) -> Image.Image:
    """An ID-1 card's back, 1010 x 640, with nothing but ``mrz`` printed on it."""
    back = Image.new("RGB", (1010, 640), (220, 232, 236))
    pitch = 31 if len(mrz[0]) <= 30 else 26
    _draw_mrz(ImageDraw.Draw(back), mrz, 40, 640 - 110 * len(mrz) // 2 - 60, pitch)
    return back


def printed_date(value: date) -> str:
    return f"{value.day:02d} {MONTHS[value.month - 1]} {value.year}"


def _draw_mrz(draw: ImageDraw.ImageDraw, lines: list[str], left: int, top: int, pitch: int) -> None:
    """Monospace by construction: each character centred in its own cell, as OCR-B is."""
    glyphs = font(int(pitch * 1.45))
    for row, line in enumerate(lines):
        y = top + row * int(pitch * 2.0)
        for col, char in enumerate(line):
            x = left + col * pitch + pitch // 2
            draw.text((x, y), char, fill=(20, 20, 25), font=glyphs, anchor="mt")


def _paste_portrait(page: Image.Image, name: str, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    portrait = face(name)
    portrait = portrait.resize((right - left, bottom - top))
    page.paste(portrait, (left, top))


def _fields(
    draw: ImageDraw.ImageDraw, rows: list[tuple[str, str]], left: int, top: int, size: int
) -> None:
    label, value = font(int(size * 0.6)), font(size)
    for i, (name, text) in enumerate(rows):
        y = top + i * int(size * 2.3)
        draw.text((left, y), name, fill=(90, 90, 120), font=label)
        draw.text((left, y + int(size * 0.75)), text, fill=(15, 15, 20), font=value)


def passport(
    holder: Holder,
    mrz: list[str] | None = None,
    *,
    title: str = "PASSPORT",
    viz: dict[str, str] | None = None,
    paper: tuple[int, int, int] = (236, 232, 220),
) -> Image.Image:
    """A TD3 data page, 1250 x 880, with its visual zone and MRZ, on ``paper``."""
    page = Image.new("RGB", (1250, 880), paper)
    draw = ImageDraw.Draw(page)
    draw.text((60, 40), f"{title}  {holder.issuer}", fill=(40, 40, 90), font=font(40))
    if holder.portrait:
        _paste_portrait(page, holder.portrait, (60, 130, 400, 560))
    printed = {
        "Surname": holder.surname,
        "Given names": holder.given_names,
        "Nationality": holder.nationality,
        "Date of birth": printed_date(holder.birth_date),
        "Sex": holder.sex,
        "Date of issue": printed_date(holder.issue_date),
        "Date of expiry": printed_date(holder.expiry_date),
        "Passport No": holder.number,
        **(viz or {}),
    }
    _fields(draw, list(printed.items()), 450, 120, 28)
    _draw_mrz(draw, mrz or td3(holder), 40, 700, 26)
    return page


def pale_page_with_a_grey_portrait(holder: Holder | None = None) -> Image.Image:
    """A passport page whose only colour is its pale green paper and its print, with the
    holder's portrait printed in grey."""
    holder = holder or Holder()
    page = passport(holder.but(portrait=""), paper=(226, 236, 228))
    page.paste(face(holder.portrait).convert("L").convert("RGB").resize((340, 430)), (60, 130))
    return page


def card_front(
    holder: Holder, title: str, rows: list[tuple[str, str]], colour: tuple[int, int, int]
) -> Image.Image:
    """An ID-1 card's front, 1010 x 640: a title, the portrait and labelled fields."""
    front = Image.new("RGB", (1010, 640), colour)
    draw = ImageDraw.Draw(front)
    draw.text((40, 30), title, fill=(30, 60, 90), font=font(36))
    if holder.portrait:
        _paste_portrait(front, holder.portrait, (40, 110, 320, 470))
    _fields(draw, rows, 360, 110, 26)
    return front


def id_card(holder: Holder, mrz: list[str] | None = None) -> tuple[Image.Image, Image.Image]:
    """A TD1 card's front (portrait and fields) and back (three-line MRZ), 1010 x 640 each."""
    front = card_front(
        holder,
        f"IDENTITY CARD  {holder.issuer}",
        [
            ("Surname", holder.surname),
            ("Given names", holder.given_names),
            ("Date of birth", printed_date(holder.birth_date)),
            ("Document No", holder.number),
            ("Date of expiry", printed_date(holder.expiry_date)),
        ],
        (220, 232, 236),
    )
    back = Image.new("RGB", (1010, 640), (220, 232, 236))
    _draw_mrz(ImageDraw.Draw(back), mrz or td1(holder), 40, 420, 31)
    return front, back


def selfie(name: str = "collins", *, angle: float = 6.0) -> Image.Image:
    """A selfie-like frame: the same portrait, smaller, tilted, on a room-coloured background."""
    background = Image.new("RGB", (900, 1100), (120, 110, 100))
    portrait = face(name).rotate(angle, expand=False, fillcolor=(120, 110, 100))
    portrait = portrait.resize((int(portrait.width * 1.1), int(portrait.height * 1.1)))
    background.paste(portrait, (150, 200))
    return background


def photographed(page: Image.Image, *, tilt: float = 0.12) -> Image.Image:
    """The page photographed at an angle, on a desk: a perspective warp onto a background."""
    width, height = page.size
    canvas = (int(width * 1.35), int(height * 1.45))
    dx, dy = int(width * 0.16), int(height * 0.2)
    corners = [
        (dx + tilt * width, dy),
        (dx + width - tilt * width * 0.2, dy + tilt * height * 0.5),
        (dx + width, dy + height),
        (dx, dy + height - tilt * height * 0.3),
    ]
    coefficients = _perspective_coefficients(
        corners, [(0, 0), (width, 0), (width, height), (0, height)]
    )
    warped = page.transform(
        canvas,
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=(70, 60, 50),
    )
    return warped


def _perspective_coefficients(
    dst: list[tuple[float, float]], src: list[tuple[float, float]]
) -> list[float]:
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, float), np.array(src, float).reshape(8))
    return [float(value) for value in solution]


def blurred(page: Image.Image, radius: float = 6) -> Image.Image:
    return page.filter(ImageFilter.GaussianBlur(radius))


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    """Image bytes as a phone would upload them."""
    out = io.BytesIO()
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image.convert("RGB").save(out, fmt, **({"quality": 92} | options))
    return out.getvalue()


# -- PDF bills --------------------------------------------------------------------------


def bill_lines(holder_name: str, address: list[str], issued: date) -> list[str]:
    return [
        "NORTHWIND ENERGY LTD",
        "Customer service: +44 20 7946 0123",
        "ELECTRICITY BILL",
        f"Statement date: {issued.isoformat()}",
        "",
        holder_name,
        *address,
        "",
        "Account number: 7781 2290 11",
        "Amount due: GBP 84.20",
        "Thank you for paying by direct debit.",
    ]


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_with_text(
    lines: list[str], *, producer: str = "Northwind Billing 4.2", modified: str | None = None
) -> bytes:
    """A one-page A4 PDF whose text is a real text layer (Helvetica), written by hand."""
    stream = (
        "BT /F1 13 Tf 16 TL 60 780 Td "
        + " ".join(f"({_pdf_escape(line)}) Tj T*" for line in lines)
        + " ET"
    )
    info = f"/Producer ({producer}) /CreationDate (D:20260301090000Z)"
    if modified:
        info += f" /ModDate ({modified})"
    return _pdf(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            _stream(stream.encode("latin-1")),
            f"<< {info} >>",
        ]
    )


def _stream(data: bytes, extra: str = "") -> str:
    return f"<< /Length {len(data)} {extra}>>\nstream\n" + data.decode("latin-1") + "\nendstream"


def _pdf(objects: list[str]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def scanned_pdf(page: Image.Image) -> bytes:
    """A PDF holding only a picture of the page: no text layer, as a scanner makes it."""
    raw = page.convert("L")
    data = zlib.compress(raw.tobytes())
    image = _stream(
        data,
        f"/Type /XObject /Subtype /Image /Width {raw.width} "
        f"/Height {raw.height} /ColorSpace /DeviceGray /BitsPerComponent 8 "
        "/Filter /FlateDecode ",
    )
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    return _pdf(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
            image,
            _stream(content),
            "<< /Producer (Scanner Pro) >>",
        ]
    )


def bill_image(lines: list[str]) -> Image.Image:
    """The bill as a printed page (1240 x 1754, A4 at 150 dpi)."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((120, 140 + i * 52), line, fill="black", font=font(34))
    return page


def stamped(
    page: Image.Image,
    word: str,
    *,
    angle: float = 30.0,
    colour: tuple[int, int, int] = (215, 40, 50),
    opacity: float = 0.55,
    size: int = 110,
    hollow: bool = False,
    centre: tuple[float, float] = (0.5, 0.5),
) -> Image.Image:
    """The page with ``word`` stamped across it, turned by ``angle`` degrees, in a
    translucent colour, as published specimens are marked (``hollow``: outlined letters),
    centred at ``centre`` (shares of the page's width and height)."""
    layer = Image.new("L", page.size, 0)
    text = Image.new("L", (int(size * 0.8 * len(word)) + 40, int(size * 1.4)), 0)
    draw = ImageDraw.Draw(text)
    if hollow:
        draw.text((20, 10), word, fill=255, font=font(size), stroke_width=4, stroke_fill=255)
        draw.text((20, 10), word, fill=0, font=font(size))
    else:
        draw.text((20, 10), word, fill=255, font=font(size))
    turned = text.rotate(angle, expand=True)
    left = int(centre[0] * page.width) - turned.width // 2
    layer.paste(turned, (left, int(centre[1] * page.height) - turned.height // 2))
    ink = Image.new("RGB", page.size, colour)
    alpha = layer.point(lambda value: int(value * opacity))
    return Image.composite(ink, page, alpha)


def pageless_pdf() -> bytes:
    """A well-formed PDF with no page at all."""
    return _pdf(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
            "<< /Producer (Northwind Billing 4.2) >>",
        ]
    )


# -- driving licences -------------------------------------------------------------------


def aamva_payload(holder: Holder, *, state: str = "CA", iin: str = "636014") -> str:
    """The AAMVA (version 10) text a US licence's barcode holds: header, one subfile
    designator, then one element a line."""
    given = holder.given_names.split()
    elements = [
        f"DAQ{holder.number}",
        f"DCS{holder.surname}",
        "DDEN",
        f"DAC{given[0]}",
        "DDFN",
        f"DAD{' '.join(given[1:]) or 'NONE'}",
        "DDGN",
        "DCAC",
        f"DBD{holder.issue_date:%m%d%Y}",
        f"DBB{holder.birth_date:%m%d%Y}",
        f"DBA{holder.expiry_date:%m%d%Y}",
        f"DBC{'2' if holder.sex == 'F' else '1'}",
        "DAU064 IN",
        "DAG12 HARBOUR STREET",
        "DAISACRAMENTO",
        f"DAJ{state}",
        "DAK958220000  ",
        "DCGUSA",
    ]
    body = "DL" + "\n".join(elements) + "\r"
    header = f"@\n\x1e\rANSI {iin}100001DL0031{len(body):04d}"
    return header + body


def pdf417(text: str, *, scale: int = 3) -> Image.Image:
    """A PDF417 barcode holding ``text``, drawn by zxing-cpp's own writer."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.PDF417)
    return Image.fromarray(np.asarray(zxingcpp.write_barcode_to_image(code, scale=scale)))


def us_licence(holder: Holder, payload: str | None = None) -> tuple[Image.Image, Image.Image]:
    """A US driver licence's front (portrait, printed fields) and back (PDF417), ID-1 size."""
    front = card_front(
        holder,
        "CALIFORNIA  DRIVER LICENSE",
        [
            ("DL", holder.number),
            ("LN", holder.surname),
            ("FN", holder.given_names),
            ("DOB", f"{holder.birth_date:%m/%d/%Y}"),
            ("EXP", f"{holder.expiry_date:%m/%d/%Y}"),
        ],
        (226, 236, 244),
    )
    back = Image.new("RGB", (1010, 640), (236, 240, 244))
    code = pdf417(payload or aamva_payload(holder))
    code.thumbnail((930, 420))
    back.paste(code, ((1010 - code.width) // 2, 120))
    return front, back


def eu_licence(holder: Holder, address: str | None = None) -> Image.Image:
    """An EU driving licence's front: its fields numbered as the directive numbers them,
    with the holder's ``address`` as field 8 when given."""
    card = Image.new("RGB", (1010, 640), (238, 220, 226))
    draw = ImageDraw.Draw(card)
    draw.text((40, 24), "DRIVING LICENCE  UK", fill=(30, 50, 110), font=font(38))
    if holder.portrait:
        _paste_portrait(card, holder.portrait, (40, 100, 300, 440))
    value = font(27)
    rows = [
        f"1. {holder.surname}",
        f"2. {holder.given_names}",
        f"3. {holder.birth_date:%d.%m.%Y} LONDON",
        f"4a. {holder.issue_date:%d.%m.%Y}   4b. {holder.expiry_date:%d.%m.%Y}",
        "4c. DVLA",
        f"5. {holder.number}",
        *([f"8. {address}"] if address else []),
        "9. AM/B",
    ]
    for i, row in enumerate(rows):
        draw.text((340, 100 + i * 62), row, fill=(20, 20, 30), font=value)
    return card


def glare_spot(page: Image.Image, *, centre: tuple[float, float] = (0.62, 0.4)) -> Image.Image:
    """A lamp's reflection: a blown-out patch with a soft edge, about a sixth of the page
    wide, washing out what is printed under it."""
    pixels = np.asarray(page.convert("RGB"), np.float32)
    height, width = pixels.shape[:2]
    cx, cy = centre[0] * width, centre[1] * height
    radius = 0.09 * max(width, height)
    y, x = np.mgrid[0:height, 0:width]
    light = np.clip(1.6 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2)), 0, 1)
    shone = pixels + light[..., None] * (255 - pixels)
    return Image.fromarray(np.clip(shone, 0, 255).astype(np.uint8))


def whitened(page: Image.Image) -> Image.Image:
    """The page as a scanner with a low white point gives it: the paper clipped to white,
    the print as dark as before."""
    pixels = np.asarray(page.convert("RGB"), np.float32)
    pixels = pixels * 255 / np.percentile(pixels, 60)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def darkened(page: Image.Image, factor: float = 0.2) -> Image.Image:
    """The page in a dim room: every pixel at ``factor`` of its brightness."""
    pixels = np.asarray(page.convert("RGB"), np.float32) * factor
    return Image.fromarray(pixels.astype(np.uint8))


def cut(page: Image.Image, *, right: float = 0.0, bottom: float = 0.0) -> Image.Image:
    """The photo with a share of its right or bottom side outside the frame."""
    width, height = page.size
    return page.crop((0, 0, int(width * (1 - right)), int(height * (1 - bottom))))


def glared(page: Image.Image, *spots: tuple[int, int, int, int]) -> Image.Image:
    """The page with light reflected off it: white ellipses (left, top, right, bottom)
    fading out at their rims, washing out the print under them."""
    mask = Image.new("L", page.size, 0)
    draw = ImageDraw.Draw(mask)
    for spot in spots:
        draw.ellipse(spot, fill=255)
    white = Image.new("RGB", page.size, (252, 252, 250))
    return Image.composite(white, page.convert("RGB"), mask.filter(ImageFilter.GaussianBlur(6)))
