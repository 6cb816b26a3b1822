"""Finding and reading input files (the I/O edge of the load stage)."""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from flows import faults
from transforms.load.parse import Parsed, Rejected, format_of, parse

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


@dataclass(frozen=True)
class InputFile:
    """A file to load: its path and format."""

    path: Path
    fmt: str | None


class InputNotFound(FileNotFoundError):
    """An input argument names nothing that exists."""


_NOT_ARTICLES = ("readme", "license", "licence", "copying", "changelog")


def discover(inputs: list[str]) -> tuple[list[InputFile], list[Path]]:
    """Input files (folders recursively, globs, files), sorted and de-duplicated.

    Also returns the files a folder scan passed over (unsupported formats, READMEs),
    so the run summary can say so: nothing is dropped silently.
    """
    found: dict[Path, InputFile] = {}
    skipped: list[Path] = []
    for arg in inputs or [str(SAMPLE_DIR)]:
        path = Path(arg).expanduser()
        if path.is_dir():
            path = path.resolve()
            candidates = [
                Path(root, name) for root, _, names in os.walk(path) for name in names if not name.startswith(".")
            ]
        elif path.is_file():
            candidates = [path]
        else:
            candidates = [Path(p) for p in glob.glob(arg, recursive=True) if Path(p).is_file()]
            if not candidates:
                raise InputNotFound(f"input not found: {arg}")
        for p in candidates:
            # In a folder scan, files of other formats and READMEs are passed over (and
            # reported); a file named explicitly is always read, or quarantined.
            fmt = format_of(p.name)
            if path.is_dir() and (fmt is None or p.name.lower().startswith(_NOT_ARTICLES)):
                skipped.append(p)
                continue
            real = p if path.is_dir() else p.resolve()  # folder scans: already absolute
            found.setdefault(real, InputFile(real, fmt))
    return [found[k] for k in sorted(found)], sorted(skipped)


def read_input(item: InputFile, csv_columns: list[str] | None = None, backslash_breaks: bool | None = None) -> Parsed:
    """Records (or rejections) from one input file (``backslash_breaks``: see :func:`parse`)."""
    uri = str(item.path)
    try:
        faults.inject("read")
        data = item.path.read_bytes()
    except OSError as exc:
        if faults.is_transient(exc):
            raise  # the load task retries it
        return [Rejected(uri, f"unreadable: {exc.strerror or exc}", 0)]
    if item.fmt is None:
        return [Rejected(uri, f"unsupported format: {item.path.name}", len(data))]
    if item.path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return [Rejected(uri, f"corrupt gzip: {exc}", len(data))]
    return parse(data, uri, item.fmt, csv_columns=csv_columns, backslash_breaks=backslash_breaks)
