"""Decoding bytes to text: BOMs, UTF-8, and a cp1252/Latin-1 fallback."""

from __future__ import annotations

import codecs

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    """The bytes are not text in any encoding copydesk understands."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name of ``data``: BOM, else UTF-8, else cp1252, else Latin-1.

    >>> decode_bytes(b"caf\\xc3\\xa9")
    ('café', 'utf-8')
    >>> decode_bytes(b"\\xa3600m")
    ('£600m', 'cp1252')
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {name} after byte-order mark: {exc.reason} at byte {exc.start}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise DecodeError("binary content (NUL bytes in an unmarked, non-UTF-8 file)")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(data: bytes) -> bool:
    """Whether ``data`` holds NUL bytes in its first 8 KiB."""
    return b"\x00" in data[:8192]
