"""Decode QR codes the service drew, with a real decoder (zxing-cpp) rather than by structure."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import zxingcpp
from PIL import Image, ImageDraw

_SVG = "{http://www.w3.org/2000/svg}"
_PATH_COMMAND = re.compile(r"([MmHhVv])([-\d.\s]+)")
_PIXELS_PER_MODULE = 4


def decode_png(content: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(content)))]


def decode_svg(content: bytes) -> list[str]:
    """Rasterise segno's single stroked path (M/m moves, h/v runs of modules), then decode it."""
    root = ET.fromstring(content)  # noqa: S314 - the service under test drew it
    assert root.tag == f"{_SVG}svg"
    (path,) = root.iter(f"{_SVG}path")
    transform = re.fullmatch(r"scale\(([\d.]+)\)", path.get("transform", "scale(1)"))
    assert transform is not None
    scale = float(transform[1])
    modules = round(float(root.get("width", "0")) / scale)
    image = Image.new("L", (modules * _PIXELS_PER_MODULE,) * 2, 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, args in _PATH_COMMAND.findall(path.get("d", "")):
        numbers = [float(n) for n in args.split()]
        if command in "Mm":
            dx, dy = numbers
            x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
        elif command == "h":
            (run,) = numbers
            top = int(y) * _PIXELS_PER_MODULE  # a stroke of width 1 centred on row y + 0.5
            left, right = sorted((x, x + run))
            draw.rectangle(
                (
                    int(left * _PIXELS_PER_MODULE),
                    top,
                    int(right * _PIXELS_PER_MODULE) - 1,
                    top + _PIXELS_PER_MODULE - 1,
                ),
                fill=0,
            )
            x += run
        else:
            raise AssertionError(f"unexpected path command {command}")
    return [code.text for code in zxingcpp.read_barcodes(image)]
