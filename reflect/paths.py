"""Where things live: the project, the store, the demo store, the reports.

Order of precedence for the store: an explicit path (``--db``, a notebook parameter), then the
``REFLECT_DB`` environment variable, then ``data/reflect.db`` in the project. The project is the
folder holding the ``reflect`` package's checkout (with ``pyproject.toml``); ``REFLECT_HOME``
overrides it, and an installed (non-checkout) package falls back to ``~/.local/share/reflect``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "REFLECT_DB"
ENV_HOME = "REFLECT_HOME"


def project_root() -> Path:
    """The folder that holds ``data/``, ``notebooks/`` and ``reports/``."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parent.parent
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


def notebooks_dir() -> Path:
    """The kit's notebooks: the checkout's ``notebooks/`` (they come with the code, wherever
    ``REFLECT_HOME`` puts the data)."""
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    return checkout if checkout.is_dir() else project_root() / "notebooks"


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


def write_private(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, readable by its owner only (0600).

    The data goes to a temporary file beside ``path`` first and replaces it in one step, so a
    reader never sees half a file and a failure leaves the old one in place.
    """
    from .errors import ReflectError

    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
    except OSError as exc:
        raise ReflectError(f"{target}: cannot write the file ({exc.strerror}); nothing was written") from None
    return target
