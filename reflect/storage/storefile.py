"""What a store path holds, found out before anything is done to it.

:func:`identify` reads a file's first SQLite page (and, when a write-ahead log is pending beside it,
the latest committed copy of that page in the log) with plain ``read()`` calls: it never opens
the file with SQLite, so nothing is check-pointed, no ``-wal`` or ``-shm`` file is created or
deleted, and neither the bytes nor the mode of a file it refuses change. Only a path that does
not exist, an empty regular file, a blank SQLite database (no tables) or a Reflect store is
accepted; a device, a FIFO, a folder, a socket, a file of another kind, another application's
database and a store from a newer Reflect are refused with a message saying so.

:func:`creation_lock` serialises creating and migrating a store between processes (an exclusive
``flock`` on the store's folder, which SQLite's own locks never touch).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reflect.errors import NotAReflectStore, StoreError, StoreTooNew
from reflect.system.paths import make_private_dirs

SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words ("a device", "a folder"...)."""
    for test, word in _KINDS:
        if test(mode):
            return word
    return "not a regular file"


def _open_regular(path: Path) -> int | None:
    """A read-only descriptor on ``path`` if it is a regular file; ``None`` if it does not exist.

    ``O_NONBLOCK`` keeps a FIFO from hanging the open; the kind is checked on the open descriptor
    (``fstat``), so what is checked is what is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        if os.path.islink(path):
            raise StoreError(f"{path} is a link to nothing, not a Reflect store") from None
        if os.path.lexists(path):  # made just now by another program (creating the same store): look again
            return _open_regular(path)
        return None
    except IsADirectoryError:
        raise StoreError(f"{path} is a folder, not a Reflect store; it was left untouched") from None
    except OSError as exc:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):
            raise StoreError(f"{path} is {kind_of(mode)}, not a Reflect store; it was left untouched") from None
        raise StoreError(f"{path}: cannot read the store ({exc.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise StoreError(f"{path} is {kind_of(mode)}, not a Reflect store; it was left untouched")
    return fd


def _read_at(fd: int, size: int, offset: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = os.pread(fd, size - got, offset + got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _page_size(header: bytes) -> int:
    raw = struct.unpack(">H", header[16:18])[0]
    return 65536 if raw == 1 else raw


def _cut_short(head: bytes, size: int) -> str:
    """How a file with this SQLite header and ``size`` bytes is cut short, in words ("" when it is not).

    An SQLite file is a whole number of pages, and its header says how many pages it holds (valid when
    the change counter at offset 24 equals the "version-valid-for" number at offset 92). That header is
    the file's own, as of its last checkpoint, and SQLite grows the file before a checkpoint writes into
    it, so a file smaller than its header says was cut (a copy stopped half-way, a full disk, a
    truncation): SQLite would open it and fail later, after changing it."""
    if not head.startswith(SQLITE_MAGIC) or len(head) < 100:
        return ""
    page_size = _page_size(head)
    if page_size < 512 or page_size & (page_size - 1):
        return ""  # not a page size: what the rest of identify says about it stands
    if size % page_size:
        return f"{size} bytes, not a whole number of {page_size}-byte pages"
    pages = struct.unpack(">I", head[28:32])[0]
    if pages and head[24:28] == head[92:96] and size < pages * page_size:
        return f"{size // page_size} of its {pages} pages"
    return ""


def _holds_pages(wal: Path) -> bool:
    """Whether the write-ahead log ``wal`` exists and holds more than its header."""
    try:
        return os.lstat(wal).st_size > _WAL_HEADER
    except OSError:
        return False


def _latest_page_one(wal: Path) -> bytes | None:
    """The last committed image of page 1 in the write-ahead log ``wal``, if it holds one."""
    try:
        fd = _open_regular(wal)
    except StoreError:
        return None
    if fd is None:
        return None
    try:
        head = _read_at(fd, _WAL_HEADER, 0)
        if len(head) < _WAL_HEADER:
            return None
        magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">IIIIII", head[:24])
        if magic not in _WAL_MAGICS or page_size < 512 or page_size & (page_size - 1):
            return None
        size = os.fstat(fd).st_size
        pending: bytes | None = None
        committed: bytes | None = None
        offset = _WAL_HEADER
        while offset + _FRAME_HEADER + page_size <= size:
            frame = _read_at(fd, _FRAME_HEADER, offset)
            page_no, commit_size, s1, s2 = struct.unpack(">IIII", frame[:16])
            if (s1, s2) != (salt1, salt2):
                break  # the rest is left over from an earlier log
            if page_no == 1:
                pending = _read_at(fd, page_size, offset + _FRAME_HEADER)
            if commit_size and pending is not None:
                committed = pending
            offset += _FRAME_HEADER + page_size
        return committed
    finally:
        os.close(fd)


def identify(path: Path, *, application_id: int, newest: int) -> int | None:
    """The schema version of the store at ``path`` without changing anything there.

    ``None`` when nothing is there; ``0`` for an empty file or a blank SQLite database (which a
    Reflect store may be made of); else the schema version of a Reflect store. Raises
    :class:`~reflect.errors.StoreError` for anything that is not a regular file,
    :class:`~reflect.errors.NotAReflectStore` for a file that is not a Reflect store, and
    :class:`~reflect.errors.StoreTooNew` for a store written by a newer Reflect.
    """
    fd = _open_regular(path)
    if fd is None:
        return None
    try:
        head = _read_at(fd, 100, 0)
        size = os.fstat(fd).st_size
        page = head
        if head.startswith(SQLITE_MAGIC) and len(head) == 100:
            page = _read_at(fd, min(_page_size(head), 65536), 0)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store ({exc.strerror})") from None
    finally:
        os.close(fd)
    wal = path.with_name(path.name + "-wal")
    # While a write-ahead log holds pages, SQLite may be copying them into the file (a checkpoint):
    # its header can then run ahead of its size for a moment. SQLite's own check (on connecting)
    # still refuses a damaged file; this one is for a file cut short with no log beside it.
    missing = _cut_short(head, size) if not _holds_pages(wal) else ""
    if missing:
        raise NotAReflectStore(f"{path} is not a Reflect store (a damaged or cut-short SQLite file: {missing}); "
                               "it was left untouched")
    logged = _latest_page_one(wal)
    if logged is not None:
        page = logged
    elif size == 0:
        return 0
    if not page.startswith(SQLITE_MAGIC):
        raise NotAReflectStore(f"{path} is not a Reflect store (not an SQLite database); it was left untouched")
    if len(page) < 108:
        raise NotAReflectStore(f"{path} is not a Reflect store (a damaged or cut-short SQLite file); "
                               "it was left untouched")
    version, app_id = struct.unpack(">i", page[60:64])[0], struct.unpack(">i", page[68:72])[0]
    page_type, cells = page[100], struct.unpack(">H", page[103:105])[0]
    has_tables = page_type == 0x05 or (page_type == 0x0D and cells > 0)
    if app_id != application_id:
        if app_id or version or has_tables:
            raise NotAReflectStore(f"{path} is an SQLite database but not a Reflect store; it was left untouched")
        return 0
    if version > newest:
        raise StoreTooNew(
            f"{path} was written by a newer Reflect (schema {version}, this one reads up to {newest}); "
            "upgrade Reflect to open it. It was left untouched"
        )
    return version


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only (0600), its missing folders 0700; an existing file
    (made meanwhile by another process) is left as it is."""
    if not path.parent.exists():
        make_private_dirs(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


@contextmanager
def creation_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder of ``path`` (one process creates or migrates a store
    in it at a time). A folder that cannot be opened or locked is not locked."""
    try:
        fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:  # pragma: no cover - a file system without locks
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise
        yield
    finally:
        os.close(fd)  # releases the lock


def is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error means another process holds the lock (worth a retry)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
        not name and ("database is locked" in str(exc) or "database is busy" in str(exc))
    )


def describe_error(exc: BaseException) -> str:
    """A few plain words for an SQLite or operating-system error (for a one-line message)."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno == errno.EROFS:
            return "the file system is read-only"
        return exc.strerror or str(exc)
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if is_busy(exc):
        return "the store is busy: another program kept it locked"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return "the store is read-only (check the permissions of the file and of its folder)"
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "the disk is full"
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return "an input/output error on the disk"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "the file cannot be opened (check that its folder exists and can be written)"
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text:
        return "the store is damaged (restore it from a backup)"
    return text
