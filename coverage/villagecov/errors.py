"""Exception hierarchy of villagecov: user-safe one-line messages, no HTTP in here.

The CLI prints ``str(error)`` on stderr and exits non-zero; the API maps each class to a status
code in ``api/errors.py``.
"""

from __future__ import annotations


class VillagecovError(Exception):
    """Base class: ``str(e)`` is a one-line message safe to show to a user."""

    exit_code = 1


class ConfigError(VillagecovError):
    """A setting is missing or invalid."""


class StoreError(VillagecovError):
    """The store cannot be opened, migrated, read or written."""


class StoreUnavailable(StoreError):
    """The store URL points at something that is not reachable."""


class NotFound(VillagecovError):
    """A requested table, unit, village, collection or feature does not exist."""


class InputError(VillagecovError):
    """An input file is unusable as a whole. The message names file, layer, row and field."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        layer: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file, self.layer, self.row, self.field = file, layer, row, field
        self.reason = message
        where = [f"{file}" if file else None]
        if layer:
            where.append(f"layer {layer}")
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field}")
        prefix = ", ".join(w for w in where if w)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class DuplicateSubmission(VillagecovError):
    """The same file (same sha256, kind and options) was already ingested: nothing changed."""

    exit_code = 0


class PermissionDenied(VillagecovError):
    """The caller's key does not allow this action."""


class OutOfScope(PermissionDenied):
    """An upload holds rows outside its key's operator or communes: the whole file is refused.
    ``report`` lists the offending values per table and field."""

    def __init__(self, message: str, report: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


class NotAuthenticated(VillagecovError):
    """An action that needs a key was called without a valid one."""


class NotYetAvailable(VillagecovError):
    """A command or feature that is planned but not built yet."""

    exit_code = 3
