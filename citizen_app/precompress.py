"""Precompressed copies of the static files: ``app.css`` -> ``app.css.br`` and ``app.css.gz`` [issue 17].

Made when the package is built (hatch_build.py: the wheel, and the checkout for an editable install), so a
server never compresses a static file per request. assets.py serves them through WhiteNoise, which picks
the copy the browser accepts (brotli, else gzip, else the file itself).

Only the standard library and ``brotli``: hatch_build.py loads this file by its path while building, before
the package is installed.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Iterator

import brotli

SUFFIXES = {"br": ".br", "gzip": ".gz"}
# Already compressed formats gain nothing; tiny files are not worth a second request path.
SKIPPED_EXTENSIONS = (".br", ".gz", ".png", ".jpg", ".jpeg", ".webp", ".avif", ".woff", ".woff2", ".zip")
MIN_SIZE = 256


def compressible(path: str) -> bool:
    return not path.endswith(SKIPPED_EXTENSIONS) and os.path.getsize(path) >= MIN_SIZE


def source_files(static_dir: str) -> Iterator[str]:
    """Every file under ``static_dir`` that is not itself a compressed copy."""
    for folder, _dirs, names in os.walk(static_dir):
        for name in sorted(names):
            if not name.endswith((".br", ".gz")):
                yield os.path.join(folder, name)


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def is_fresh(path: str, encoding: str) -> bool:
    """The copy exists and is not older than its source (a changed source needs a new copy)."""
    copy = path + SUFFIXES[encoding]
    return os.path.isfile(copy) and os.path.getmtime(copy) >= os.path.getmtime(path)


def _write_atomically(target: str, data: bytes) -> None:
    """Several workers or builds may write the same copy: each writes its own temporary file, then renames."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".precompress-")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def precompress(static_dir: str, *, only_stale: bool = True) -> list[str]:
    """Write ``.br`` and ``.gz`` beside every compressible file under ``static_dir`` (only where missing or
    older than the file, unless ``only_stale`` is False). A copy that is not smaller is not kept. Returns the
    copies written."""
    written = []
    for path in source_files(static_dir):
        if not compressible(path):
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        for encoding, suffix in SUFFIXES.items():
            if only_stale and is_fresh(path, encoding):
                continue
            compressed = _compress(data, encoding)
            if len(compressed) >= len(data):
                continue
            _write_atomically(path + suffix, compressed)
            written.append(path + suffix)
    return written
