"""Finding and reading input files (the I/O edge of the load stage).

An inbox is filled by scrapers and by other people, so nothing in it is trusted to point
where it says. By default no symbolic link is followed: a symlinked file or folder found
under an input becomes a quarantine row (``symlink not followed``). With
``follow_symlinks`` a link is followed only when its target lies inside the input root
(the folder named, or the fixed folder part of a glob); one pointing outside is
quarantined (``symlink points outside the input``). Anything that is not a regular file
(a FIFO, a socket, a device) is quarantined too: reading it could block the run.
"""

from __future__ import annotations

import glob
import gzip
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from flows import faults
from transforms.load.parse import Parsed, Rejected, format_of, parse

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


@dataclass(frozen=True)
class InputFile:
    """A file to load: its path and format, and its size and modification time when discovery saw them (-1: not)."""

    path: Path
    fmt: str | None
    size: int = -1
    mtime_ns: int = -1


@dataclass
class Discovered:
    """What a set of inputs holds: files to load, files passed over, paths refused with a reason."""

    files: list[InputFile] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    refused: list[Rejected] = field(default_factory=list)


class InputNotFound(FileNotFoundError):
    """An input argument names nothing that exists."""


_NOT_ARTICLES = ("readme", "license", "licence", "copying", "changelog")
SYMLINK_REFUSED = "symlink not followed (copydesk run --follow-symlinks follows links inside the input)"
SYMLINK_OUTSIDE = "symlink points outside the input: not followed"
NOT_REGULAR = "not a regular file"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _vetted(path: Path, root: Path, follow: bool, folder: bool = False) -> Path | str:
    """The real path to read for ``path`` (found under ``root``, a resolved folder), or why not.

    Every component from ``root`` down to ``path`` is checked, so a symlinked folder on
    the way is caught as well as a symlinked file.
    """
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = None
    steps = [root.joinpath(*rel.parts[: i + 1]) for i in range(len(rel.parts))] if rel else [path]
    for step in steps:
        try:
            st = os.lstat(step)
        except OSError as exc:
            return f"unreadable: {exc.strerror or exc}"
        if stat.S_ISLNK(st.st_mode):
            if not follow:
                return SYMLINK_REFUSED
            if not _inside(step.resolve(), root):
                return SYMLINK_OUTSIDE
    real = path.resolve()
    if follow and not _inside(real, root):
        return SYMLINK_OUTSIDE
    try:
        st = os.stat(real)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    return real if stat.S_ISREG(st.st_mode) or (folder and stat.S_ISDIR(st.st_mode)) else NOT_REGULAR


def _glob_prefix(pattern: str) -> Path:
    """The folder part of a glob before its first wildcard (the root its matches must stay in)."""
    fixed: list[str] = []
    for part in Path(pattern).expanduser().parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed).absolute() if fixed else Path.cwd()


def _scan(root: Path) -> tuple[list[Path], dict[Path, tuple[int, int]]]:
    """Every entry to consider under folder ``root`` (hidden files left out), and the size and
    mtime of those that are regular files.

    Symlinked folders are not walked into: they are returned, to be vetted like a symlinked
    file. The folders walked are therefore real, and a regular file's path is its real path.
    Directory entries carry their type, so a regular file costs one ``lstat`` and no more.
    """
    candidates: list[Path] = []
    regular: dict[Path, tuple[int, int]] = {}
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # an unreadable folder, as os.walk skips it
        for entry in entries:
            path = folder / entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif not entry.name.startswith("."):
                candidates.append(path)
                if entry.is_file(follow_symlinks=False):
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue  # gone since the listing: vetted (and refused) like any path
                    regular[path] = (st.st_size, st.st_mtime_ns)
    return candidates, regular


def discover(inputs: list[str], *, follow_symlinks: bool = False) -> Discovered:
    """Input files (folders recursively, globs, files), sorted and de-duplicated.

    Also returns the files a folder scan passed over (unsupported formats, READMEs),
    so the run summary can say so, and the paths refused (symlinks, special files) as
    rejections to quarantine: nothing is dropped silently. A file named explicitly is
    read even when it is a symlink: the operator chose it.
    """
    found: dict[Path, InputFile] = {}
    out = Discovered()
    refused: dict[str, Rejected] = {}
    for arg in inputs or [str(SAMPLE_DIR)]:
        path = Path(arg).expanduser()
        scan = path.is_dir()
        if scan:
            root = path.resolve()  # the folder named may itself be a link: the operator chose it
            candidates, regular = _scan(root)
        elif path.is_file() or path.is_symlink():
            root, candidates, regular = path.parent.resolve(), [path.parent.resolve() / path.name], {}
        else:
            prefix = _glob_prefix(arg)
            root = prefix.resolve()
            matches = [Path(p).absolute() for p in glob.glob(arg, recursive=True)]
            candidates = [root / p.relative_to(prefix) for p in matches if p.is_file() or p.is_symlink()]
            regular = {}
            if not candidates:
                raise InputNotFound(f"input not found: {arg}")
        for p in candidates:
            # In a folder scan, files of other formats and READMEs are passed over (and
            # reported); a file named explicitly is always read, or quarantined.
            fmt = format_of(p.name)
            is_dir_link = p not in regular and p.is_symlink() and p.is_dir()
            if scan and not is_dir_link and (fmt is None or p.name.lower().startswith(_NOT_ARTICLES)):
                out.skipped.append(p)
                continue
            if p in regular:  # a regular file met in the scan, under folders that are not links: read as found
                size, mtime_ns = regular[p]
                found.setdefault(p, InputFile(p, fmt, size, mtime_ns))
                continue
            explicit = not scan and path.is_file()
            real = p.resolve() if explicit else _vetted(p, root, follow_symlinks, is_dir_link)
            if is_dir_link and isinstance(real, Path):
                continue  # a followed folder link inside the input: its files are found under their real path
            if isinstance(real, str):
                refused.setdefault(str(p), Rejected(str(p), real, 0))
                continue
            found.setdefault(real, InputFile(real, fmt))
    out.files = [found[k] for k in sorted(found)]
    out.skipped.sort()
    out.refused = [refused[k] for k in sorted(refused)]
    return out


def _read_regular(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of ``path`` and its status, refusing a symlink swapped in since discovery and any special file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{NOT_REGULAR}")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(), st
    finally:
        os.close(fd)


def read_file(item: InputFile) -> tuple[bytes, os.stat_result] | Rejected:
    """The bytes and status of one input file, or why it cannot be read (a transient error is raised, to retry)."""
    try:
        faults.inject("read")
        return _read_regular(item.path)
    except OSError as exc:
        if faults.is_transient(exc):
            raise  # the load task retries it
        return Rejected(str(item.path), f"unreadable: {exc.strerror or exc}", 0)


def read_input(item: InputFile, csv_columns: list[str] | None = None, backslash_breaks: bool | None = None) -> Parsed:
    """Records (or rejections) from one input file (``backslash_breaks``: see :func:`parse`)."""
    read = read_file(item)
    if isinstance(read, Rejected):
        return [read]
    return parse_input(item, read[0], csv_columns, backslash_breaks)


def parse_input(
    item: InputFile, data: bytes, csv_columns: list[str] | None = None, backslash_breaks: bool | None = None
) -> Parsed:
    """Records (or rejections) from the bytes of input file ``item``."""
    uri = str(item.path)
    if item.fmt is None:
        return [Rejected(uri, f"unsupported format: {item.path.name}", len(data))]
    if item.path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            return [Rejected(uri, f"corrupt gzip: {exc}", len(data))]
    return parse(data, uri, item.fmt, csv_columns=csv_columns, backslash_breaks=backslash_breaks)
