"""Files we write: one writer at a time, never through a symlink, replaced atomically.

POSIX only (``fcntl.flock``, ``O_NOFOLLOW``, fsync of a directory). The lock is an
advisory ``flock`` on the output file itself, so it guards every writer that goes
through :func:`open_locked` (two exports, an export and a sync) and is released by the
kernel when the process dies, even by ``kill -9``: there is no stale lock file to clean.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
from pathlib import Path

from ._errors import SevenTimeError, ValidationError

__all__ = ["OutputInUseError", "open_locked", "read_nofollow", "replace_atomically", "write_all"]


class OutputInUseError(SevenTimeError):
    """Another process holds the lock on the output file: it is writing it now."""


def _refuse_symlink(path: Path) -> ValidationError:
    return ValidationError(
        f"{path} is a symbolic link; refusing to write through it "
        "(pass --follow-symlinks if that is meant)"
    )


def open_locked(
    path: Path, *, create: bool, must_be_new: bool = False, follow_symlinks: bool = False
) -> int:
    """A read-write descriptor of the regular file ``path``, exclusively locked.

    Nothing is truncated or written here: the caller does that once it holds the lock.
    ``create`` allows a new file (with ``must_be_new``, an existing one raises
    :class:`FileExistsError`). A symbolic link at ``path``, dangling or not, raises
    :class:`ValidationError` unless ``follow_symlinks``; a locked file raises
    :class:`OutputInUseError`; the OS's own errors pass as :class:`OSError`.
    """
    flags = os.O_RDWR | os.O_CLOEXEC | (0 if follow_symlinks else os.O_NOFOLLOW)
    if create:
        flags |= os.O_CREAT | (os.O_EXCL if must_be_new else 0)
    if not follow_symlinks and path.is_symlink():  # O_EXCL would only say "exists"
        raise _refuse_symlink(path)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise _refuse_symlink(path) from None  # made a symlink since the check above
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValidationError(f"{path} is not a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputInUseError(
            f"{path} is being written by another run (it holds the lock); wait for it to finish"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write part of it when the disk fills up)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_nofollow(path: Path) -> bytes:
    """The bytes of ``path``; a symbolic link there raises ``OSError`` (``ELOOP``)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def replace_atomically(path: Path, data: bytes) -> None:
    """Make ``path`` hold ``data``: a reader, or a crash at any instant, sees the old
    content or the new, never half. The temporary file gets an unpredictable name
    (``mkstemp``: created new, private, no symlink followed) in the same directory, is
    fsynced, renamed over ``path`` (a symlink at ``path`` is replaced, not followed), and
    the directory is fsynced so the rename itself survives a power cut."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
