"""Reading input files and writing output files safely.

Input: only regular files are opened (a FIFO, a device such as ``/dev/zero`` or a directory is
refused without blocking or reading), and only up to a size limit.

Output: every target is validated before any work (:func:`output_target`): ``-`` is standard
output, an empty name, a missing folder, a parent that is not a folder, a folder we cannot write
and a symlink are refused with one line. Files are written whole or not at all (a temporary name in
the same folder, then a rename, which replaces a name and never writes through a symlink), with the
mode the umask gives. A folder of results is filled under a temporary name and renamed
(:func:`atomic_folder`), so an interrupted run leaves the previous result or nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, overload

from ._errors import InputError

MAX_CASE_BYTES = 64 * 2**20        # a TOML case file
MAX_NPZ_BYTES = 4 * 2**30          # an .npz file (its arrays are checked against the memory limit too)
STDOUT = "-"


# ----------------------------------------------------------------------------------------------
# Input
# ----------------------------------------------------------------------------------------------
def open_regular(path: str | os.PathLike[str], *, limit: int, field: str | None = None, what: str = "file"
                 ) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file of at most ``limit`` bytes.

    The open is non-blocking, so a FIFO without a writer cannot hang it; the type is checked on the
    opened descriptor (no race with a rename)."""
    name = str(path)
    if field is not None:    # a file named inside a case: the case file is named by the caller
        try:
            return open_regular(path, limit=limit, what=what)
        except InputError as exc:
            raise InputError(f"{name}: {exc.reason}", field=field) from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise InputError(f"{what} not found", field=field, file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} ({exc.strerror or exc})", field=field, file=name) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"is a directory, not a {what}", field=field, file=name)
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if (
                stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)) else "a socket" if stat.S_ISSOCK(
                st.st_mode) else "not a regular file"
            raise InputError(f"is {kind}; only regular files are read", field=field, file=name)
        if st.st_size > limit:
            raise InputError(f"{what} of {st.st_size:,} bytes is larger than the limit of {limit:,}",
                             field=field, file=name)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], *, limit: int = MAX_CASE_BYTES, field: str | None = None, what: str = "file") -> bytes:
    with open_regular(path, limit=limit, field=field, what=what) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:   # it grew while we read
        raise InputError(f"{what} is larger than the limit of {limit:,} bytes", field=field, file=str(path))
    return data


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------
def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


@overload
def output_target(name: None, field: str, *, folder: bool = False, allow_stdout: bool = True,
                  create: bool = False) -> None: ...
@overload
def output_target(name: str | os.PathLike[str], field: str, *, folder: bool = False, allow_stdout: bool = True,
                  create: bool = False) -> str | Path: ...
def output_target(name: str | os.PathLike[str] | None, field: str, *, folder: bool = False,
                  allow_stdout: bool = True, create: bool = False) -> str | Path | None:
    """Validate an output name before any work: ``-`` (standard output, returned as ``"-"``) or a
    path whose parent is an existing, writable folder and which is not a symlink (nor, for a file, a
    folder; for a ``folder``, not a file). A missing parent is refused, unless ``create`` (a folder
    created when first needed): then the nearest existing ancestor must be a writable folder."""
    if name is None:
        return None
    text = str(name)
    if text == STDOUT:
        if not allow_stdout:
            raise InputError("standard output ('-') is not possible here; name a folder", field=field)
        return STDOUT
    if not text.strip():
        raise InputError("empty output name", field=field)
    p = Path(text)
    if p.is_symlink():
        raise InputError(f"{text} is a symlink; flatproof does not write through symlinks", field=field)
    if folder:
        if p.exists() and not p.is_dir():
            raise InputError(f"{text} exists and is not a folder", field=field)
    elif p.exists() and not p.is_file():
        raise InputError(f"{text} exists and is not a regular file", field=field)
    parent = p.absolute().parent
    if create and not p.exists():
        while not parent.exists() and not parent.is_symlink() and parent != parent.parent:
            parent = parent.parent
    if not parent.exists():
        raise InputError(f"folder {parent} does not exist", field=field)
    if not parent.is_dir():
        raise InputError(f"{parent} is not a folder", field=field)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"folder {parent} is not writable", field=field)
    if folder and p.exists() and not os.access(p, os.W_OK | os.X_OK):
        raise InputError(f"folder {p} is not writable", field=field)
    return p


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a reader never sees a half-written file (mode from the umask)."""
    target = Path(path).absolute()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".flatproof-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` (``-``: standard output) whole or not at all."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return Path(STDOUT)
    return write_bytes_atomic(path, text.encode(encoding))


def copy_file_atomic(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> Path:
    """Copy ``src`` to ``dst`` (``-``: standard output, as bytes) whole or not at all."""
    data = Path(src).read_bytes()
    if str(dst) == STDOUT:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return Path(STDOUT)
    return write_bytes_atomic(dst, data)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on success it replaces ``path`` (the previous
    result is removed only once the new one is complete); on any exception it is deleted."""
    target = Path(path).absolute()
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.rename(target, old)
        os.rename(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
