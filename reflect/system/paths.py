"""Where things live: the project, the store, the demo store, the reports.

Order of precedence for the store: an explicit path (``--db``, a notebook parameter), then the
``REFLECT_DB`` environment variable, then ``data/reflect.db`` in the project. The project is the
folder holding the ``reflect`` package's checkout (with ``pyproject.toml``); ``REFLECT_HOME``
overrides it, and an installed (non-checkout) package falls back to ``~/.local/share/reflect``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

ENV_DB = "REFLECT_DB"
ENV_HOME = "REFLECT_HOME"
#: The folder above the package: a clone of the repository when it holds ``pyproject.toml``.
CHECKOUT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The folder that holds ``data/``, ``notebooks/`` and ``reports/``."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    checkout = CHECKOUT
    if (checkout / "pyproject.toml").is_file():
        return checkout
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "reflect"


def data_dir() -> Path:
    return project_root() / "data"


def default_store_path() -> Path:
    """The person's (or couple's) own store: ``data/reflect.db``."""
    return data_dir() / "reflect.db"


def demo_store_path() -> Path:
    """The demo couple's store, kept apart from real data: ``data/demo.db``."""
    return data_dir() / "demo.db"


def reports_dir() -> Path:
    return project_root() / "reports"


def kit_notebooks() -> Path:
    """The folder of the kit's notebooks, shipped in the package as ``reflect.notebooks``
    (:mod:`importlib.resources`): the checkout's ``notebooks/`` in a clone, the installed copy from
    a wheel."""
    try:
        return Path(str(resources.files("reflect.notebooks")))
    except ModuleNotFoundError:  # run from a clone that was never installed (no setup)
        return CHECKOUT / "notebooks"


def resolve_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store to use: ``explicit``, else ``$REFLECT_DB``, else the default store."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_store_path()


def store_was_chosen(explicit: str | os.PathLike[str] | None = None) -> bool:
    """Whether the store was named (by argument or environment) rather than defaulted."""
    return bool(explicit) or bool(os.environ.get(ENV_DB))


def make_private_dirs(folder: str | os.PathLike[str]) -> Path:
    """Make ``folder`` and every missing folder above it, each readable by its owner only (0700),
    whatever the umask. Folders that already exist are left as they are."""
    target = Path(folder)
    missing: list[Path] = []
    current = target
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for each in reversed(missing):
        try:
            os.mkdir(each, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another process
        os.chmod(each, 0o700)
    return target


def refuse_non_regular(target: Path, what: str) -> None:
    """Raise :class:`~reflect.errors.ReflectError` if ``target`` exists and is not a regular file
    (a device, a folder...): it is never replaced."""
    import stat

    from reflect.errors import ReflectError

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a device or other special file"
        raise ReflectError(f"{target} is {kind}, not {what}; nothing was written")


def write_private(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, readable by its owner only (0600).

    The data is written to a file with no name yet (Linux's ``O_TMPFILE``), made 0600, synced, then
    given an unpredictable name beside ``path`` and renamed over it in one step: a reader never sees
    half a file, a failure leaves the old one in place, and a process killed while writing (even with
    ``kill -9``) leaves no half-written copy behind. Where unnamed files are not available, the data
    goes to a new temporary file with an unpredictable name made with ``O_EXCL`` and ``O_NOFOLLOW``
    (:func:`tempfile.mkstemp`), so that nobody can slip a file or a link in under that name.
    """
    from reflect.errors import ReflectError

    target = Path(path)
    if not str(path).strip():
        raise ReflectError("no file name given (use - for standard output); nothing was written")
    refuse_non_regular(target, "a file")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if not _write_unnamed_then_link(target, payload):
            _write_through_temporary(target, payload)
    except OSError as exc:
        raise ReflectError(f"{target}: cannot write the file ({exc.strerror}); nothing was written") from None
    return target


def _write_unnamed_then_link(target: Path, payload: bytes) -> bool:
    """Write through an unnamed file; False (nothing done) where the system cannot."""
    import errno
    import secrets

    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return False
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fd = os.open(".", flag | os.O_WRONLY, 0o600, dir_fd=folder)
        except OSError as exc:
            if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                return False
            raise
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            name = f".reflect-{secrets.token_hex(8)}.tmp"
            os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=folder, follow_symlinks=True)
            try:
                os.replace(name, target.name, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                os.unlink(name, dir_fd=folder)
                raise
        finally:
            os.close(fd)
    finally:
        os.close(folder)
    return True


def _write_through_temporary(target: Path, payload: bytes) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".reflect-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = ""
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
