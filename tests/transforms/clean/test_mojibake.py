"""Mojibake repair: agreement with ``ftfy.fix_text`` on a multilingual corpus; a gate that skips nothing ftfy fixes."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import ftfy
import pyarrow as pa
import pyarrow.compute as pc
from ftfy.fixes import uncurl_quotes
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.clean.test_clean import assert_audited
from transforms.clean import mojibake
from transforms.clean.clean import clean_texts

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "clean"
CORPUS = json.loads((GOLDEN / "mojibake.json").read_text(encoding="utf-8"))["cases"]
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def documented(text: str) -> str:
    """``text`` with copydesk's documented differences from ftfy folded away.

    Curly quotes are kept (ftfy straightens them); Unicode spaces become spaces and
    edge whitespace of the text and its lines goes (whitespace tidying).
    """
    text = uncurl_quotes(_SPACES.sub(" ", text))
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def _flags(texts: list[str]) -> list[bool]:
    return pc.match_substring_regex(pa.array(texts, pa.string()), mojibake.DETECTOR).to_pylist()


def test_corpus_shape() -> None:
    kinds = {c["kind"] for c in CORPUS}
    assert kinds == {"clean", "broken", "mixed", "lookalike"}
    langs = {c["label"].split()[0].split("-")[0] for c in CORPUS}
    assert len(langs) >= 8
    labels = " ".join(c["label"] for c in CORPUS)
    for encoding in ("windows-1252", "windows-1251", "windows-1250", "windows-1257", "mac_roman", "cp437", "latin-1"):
        assert f"as {encoding} " in labels + " " and f"as {encoding} twice" in labels, encoding


def test_corpus_agrees_with_ftfy() -> None:
    raw = [c["input"] for c in CORPUS]
    clean = assert_audited(raw)
    differ = [
        (c["label"], out, ftfy.fix_text(c["input"]))
        for c, out in zip(CORPUS, clean, strict=True)
        if documented(out) != documented(ftfy.fix_text(c["input"]))
    ]
    assert len(differ) <= 0.005 * len(CORPUS), differ[:5]


def test_broken_texts_are_repaired_where_ftfy_restores_them() -> None:
    restored = [
        c
        for c in CORPUS
        if c["kind"] != "lookalike" and ftfy.fix_text(c["input"], uncurl_quotes=False) == c["original"]
    ]
    assert len(restored) >= 300
    clean = clean_texts([c["input"] for c in restored]).clean_text
    assert [documented(t) for t in clean] == [documented(c["original"]) for c in restored]


def test_lookalikes_unchanged() -> None:
    looks = [c["input"] for c in CORPUS if c["kind"] == "lookalike"]
    assert len(looks) >= 20
    assert clean_texts(looks).clean_text == looks
    assert sum(_flags(looks)) >= 3  # some do reach ftfy, which must leave them alone


ISSUE_CASES = [
    ("вЂ™", "’"),
    ("Г‚ВЈ5.8bn", "£5.8bn"),
    ("Les g√¢teaux de No√´l co√ªtent 5 ‚Ç¨", "Les gâteaux de Noël coûtent 5 €"),
    ("Ĺ˝inoma", "Žinoma"),
    ("Zam√≤", "Zamò"),
    ("t‚Äö√†√∂¬¨¬©l", "tél"),
    ("╨┐╤Ç", "пр"),
    ("LiĂ¨ge", "Liège"),
    ("×‘", "ב"),
    ("Ø±", "ر"),
    ("æ—¥æœ¬èªž", "日本語"),
    ("voilÃ  le travail", "voilà le travail"),
    ("10Î&frac14;s", "10μs"),
    ("signiﬁcantly", "significantly"),
    ("Ningbo，China", "Ningbo,China"),
    ("ŉ ǌ", "ʼn nj"),
]


def test_issue_examples() -> None:
    raw = [r for r, _ in ISSUE_CASES]
    assert assert_audited(raw) == [e for _, e in ISSUE_CASES]


def test_gate_flags_every_line_ftfy_would_change() -> None:
    lines = [line for c in CORPUS for line in c["input"].split("\n") if line.strip()]
    changed = [line for line in lines if ftfy.fix_text(line, mojibake.FTFY_CONFIG) != line]
    assert changed and all(mojibake.needs_ftfy(line) for line in changed)
    assert all(_flags([line for line in lines if mojibake.needs_ftfy(line)]))


#: Characters that mojibake, ftfy's other fixes and normalisation are made of, and plain ones.
_ALPHABET = st.sampled_from(
    list("aeoAE .,'-\n")
    + [chr(c) for c in range(0x80, 0x250)]
    + list("–—‘’‚“”„†‡•…‰‹›€™ЂЃђѓВГРСвгрсΒΓΞΟβ√∂≈≠∞╨┐╤│┌▀▄█░▒▓")
    + list("ﬁﬂŉǌ，：（）\u3000\u2028\u2029\u0301\u0308\u0327\u093c\u094d\u1161\u11a8\u212b\uf900\ufeff\u200b")
    + list("日本語ב ر ก ह 한")
)


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET, max_size=12))
def test_gate_is_a_superset_of_ftfy(text: str) -> None:
    content = text.strip(" \t")
    if ftfy.fix_text(content, mojibake.FTFY_CONFIG) != content:
        assert mojibake.needs_ftfy(content)
    if mojibake.needs_ftfy(content):
        assert _flags([text]) == [True]


def test_nfc_detector_covers_this_python() -> None:
    pattern = re.compile(r"\\x\{([0-9a-f]+)\}(?:-\\x\{([0-9a-f]+)\})?")
    listed: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for m in pattern.finditer(mojibake.NFC_DETECTOR):
        listed.update(range(int(m[1], 16), int(m[2] or m[1], 16) + 1))
    for code in range(0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if unicodedata.normalize("NFC", ch) != ch and not unicodedata.category(ch).startswith("M"):
            assert code in listed, hex(code)
        if unicodedata.combining(ch):
            assert unicodedata.category(ch).startswith("M"), hex(code)
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second = chr(int(parts[1], 16))
            if unicodedata.normalize("NFC", chr(int(parts[0], 16)) + second) == ch:
                assert unicodedata.category(second).startswith("M") or code in listed, hex(code)


def test_re2_classes_cover_pythons() -> None:
    chars = [chr(c) for c in range(0x3000 + 1)]
    spaces = [c for c in chars if re.fullmatch(r"\s", c)]
    words = [c for c in chars if re.fullmatch(r"\w", c)]
    assert all(pc.match_substring_regex(pa.array(spaces), mojibake._SPACE).to_pylist())
    assert all(pc.match_substring_regex(pa.array(words), mojibake._WORD).to_pylist())
