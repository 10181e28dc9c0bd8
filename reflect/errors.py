"""Named exceptions. Every error the kit raises on purpose is a :class:`ReflectError`.

Each message says what was wrong and, where it helps, what to do about it. The CLI prints
``str(error)`` as one line and exits non-zero.
"""

from __future__ import annotations


class ReflectError(Exception):
    """Base class of every error the kit raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        """In a notebook (and so in papermill's output), show the message, not a traceback."""
        return [f"{type(self).__name__}: {self}"]


class ValidationError(ReflectError, ValueError):
    """A value given to the kit is not acceptable (a rating of 11, a bad date, ...).

    ``field`` names the field (``passion``, ``date``...); ``where`` says where the value came from
    (``"data.csv, line 4"``), when it came from a file.
    """

    def __init__(self, message: str, *, field: str | None = None, where: str | None = None):
        self.message = message
        self.field = field
        self.where = where
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.where:
            parts.append(self.where)
        if self.field:
            parts.append(f"column {self.field}" if self.where else self.field)
        prefix = ", ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message

    def located(self, where: str) -> ValidationError:
        """The same error, said to come from ``where``."""
        return ValidationError(self.message, field=self.field, where=where)


class ImportFileError(ReflectError):
    """A file to import holds one or more bad rows; nothing was written.

    ``problems`` holds every :class:`ValidationError` found (up to a limit), in file order.
    """

    def __init__(self, path: str, problems: list[ValidationError], *, truncated: bool = False):
        self.path = path
        self.problems = problems
        self.truncated = truncated
        first = str(problems[0]) if problems else f"{path}: not importable"
        more = len(problems) - 1
        if more > 0 or truncated:
            count = f"{more}+" if truncated else str(more)
            first += f" (and {count} more problem{'s' if more != 1 or truncated else ''})"
        super().__init__(first + "; nothing was imported")


class StoreError(ReflectError):
    """The store cannot be opened or used (not a Reflect database, unreadable, ...)."""


class NotAReflectStore(StoreError):
    """The file exists but is not a Reflect database; it was left untouched."""


class StoreTooNew(StoreError):
    """The store was written by a newer version of Reflect; it was left untouched."""


class NoData(ReflectError):
    """There are no check-ins where some were needed (e.g. for a month)."""


class NotSignedIn(ReflectError, PermissionError):
    """A protected person's check-ins, notes or rituals were to be changed or read without them."""


class WrongPassphrase(ReflectError):
    """A passphrase that does not open the person's keys."""


class SignInDelayed(ReflectError):
    """Too many wrong passphrases in a row: the next try must wait ``wait`` seconds."""

    def __init__(self, message: str, *, wait: float):
        self.wait = wait
        super().__init__(message)
