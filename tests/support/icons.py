"""The app icons (static/icons/icon-*.png), drawn in code so they can be made again exactly.

A plain square in the brand colour with a white sheet of paper and three lines: a plan. The maskable icon
draws the sheet smaller, so it stays inside the safe zone (the middle circle, 80 % wide) whatever shape the
phone cuts out. Run ``python -m tests.support.icons`` after changing the drawing; a web test checks that the
committed files are what this draws.
"""

from __future__ import annotations

import os
import struct
import zlib

BRAND = (0x1F, 0x4E, 0x79)  # --brand in static/css/app.css
WHITE = (0xFF, 0xFF, 0xFF)
ICONS = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True)}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _colour(x: float, y: float, scale: float) -> tuple[int, int, int]:
    """The colour at (x, y), both 0..1 from the top left corner."""
    # Coordinates relative to the centre, divided by the scale, so the maskable icon is a smaller copy.
    u, v = (x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5
    if not (0.30 <= u <= 0.70 and 0.20 <= v <= 0.80):
        return BRAND
    for top, right in ((0.34, 0.62), (0.46, 0.62), (0.58, 0.54)):
        if top <= v <= top + 0.05 and 0.38 <= u <= right:
            return BRAND
    return WHITE


def draw(size: int, maskable: bool) -> bytes:
    """A PNG (8-bit RGB, no interlace) of the icon, ``size`` pixels square."""
    scale = 0.8 if maskable else 1.0
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # filter type "none"
        y = (row + 0.5) / size
        for col in range(size):
            rows.extend(_colour((col + 0.5) / size, y, scale))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR header (asserts that it is a PNG)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG starts with its IHDR chunk"
    return struct.unpack(">II", data[16:24])


if __name__ == "__main__":
    from citizen_app import ROOT

    for name, (size, maskable) in ICONS.items():
        with open(os.path.join(ROOT, "static", "icons", name), "wb") as handle:
            handle.write(draw(size, maskable))
        print("wrote", name)
