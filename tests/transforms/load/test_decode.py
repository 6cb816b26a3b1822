"""Decoding: byte-order marks, UTF-8, cp1252 and Latin-1 fallbacks, binary refusal."""

from __future__ import annotations

import codecs

import pytest

from transforms.load.decode import DecodeError, decode_bytes


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (b"caf\xc3\xa9", "café", "utf-8"),
        (codecs.BOM_UTF8 + b"caf\xc3\xa9", "café", "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "£5".encode("utf-16-le"), "£5", "utf-16"),
        (codecs.BOM_UTF16_BE + "£5".encode("utf-16-be"), "£5", "utf-16"),
        (b"\xa3600m \x93quoted\x94", "£600m “quoted”", "cp1252"),
        (b"M\xfcnchen", "München", "cp1252"),
        (b"\x81\x8d", "\x81\x8d", "latin-1"),
    ],
)
def test_decode(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data) == (text, encoding)


def test_binary_and_broken_bom_rejected() -> None:
    with pytest.raises(DecodeError):
        decode_bytes(b"\x00\x01\xff\xfe\x00")
    with pytest.raises(DecodeError):
        decode_bytes(codecs.BOM_UTF8 + b"\xff")
