"""Private temporary folders, and sweeping away the ones a run killed outright left behind.

A run that is stopped (Ctrl-C, SIGTERM, an error) removes its temporary folder on its way out; one
killed with ``kill -9`` cannot, so a later run sweeps it (:func:`sweep`): a folder of the run's
kind (its name's prefix) is removed only when it is this user's, a real folder (not a link), and
untouched for ``older_than`` seconds, so that a run starting now is never touched; and not held by
a run still using it (:class:`HeldFolder` holds a lock on its folder, which the system lets go of
however the run ends, ``kill -9`` included). PDF printing (``.reflect-print-*`` beside the report)
and ``reflect lab`` (``reflect-lab-settings-*`` in the temporary folder) sweep their own this way.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path

#: How long a leftover is left alone (seconds): a run may be starting in it.
SWEEP_AFTER_S = 600.0


def _lock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class HeldFolder:
    """A new private (0700) temporary folder, held (a shared lock on it) until :meth:`remove`:
    :func:`sweep` leaves a held folder alone, however old."""

    def __init__(self, prefix: str, base: str | os.PathLike[str] | None = None):
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        self._fd: int | None = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        _lock(self._fd, fcntl.LOCK_SH)

    def remove(self) -> None:
        """Remove the folder and everything in it, and let go of it (again: nothing more)."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> HeldFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def sweep(folder: str | os.PathLike[str], prefix: str, *, older_than: float = SWEEP_AFTER_S) -> list[Path]:
    """Remove the folders named ``prefix*`` in ``folder`` that a killed run left: this user's, real
    folders, untouched for ``older_than`` seconds and held by no run. Returns what was removed."""
    removed: list[Path] = []
    now = time.time()
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return removed
    for name in names:
        leftover = Path(folder) / name
        try:
            info = os.lstat(leftover)
            if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
                    or now - info.st_mtime <= older_than):
                continue
            fd = os.open(leftover, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                if not _lock(fd, fcntl.LOCK_EX):
                    continue  # a run is using it
                shutil.rmtree(leftover)
            finally:
                os.close(fd)
            removed.append(leftover)
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue
    return removed
