"""Authenticated uploads: who may send what (the form); the jobs are :mod:`villagecov.jobs`.

Rules (:mod:`villagecov.scope`): an admin key may upload anything; an operator key only its own
operator's sites, coverage and measurements; a surveyor key only service surveys of villages in
its communes. The form is checked here, before the file is stored; the rows are checked by the
ingest itself, on the rows it is about to store, inside its transaction.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from villagecov.apikeys import ApiKey
from villagecov.errors import (
    InputError,
    PermissionDenied,
)
from villagecov.ingest import KINDS
from villagecov.schema import OPERATORS
from villagecov.scope import ROLE_KINDS, UploadScope

log = logging.getLogger("villagecov.api.uploads")


@dataclass(frozen=True)
class UploadForm:
    kind: str
    operator: str | None
    technology: str | None
    as_of: str | None
    filename: str
    evidence: str | None = None
    value: str | None = None
    boundaries: str = "2019"
    # the CLI's reading options, for files as their publishers ship them (docs/real-data.md)
    sheet: str | None = None
    classes: str | None = None
    layer: str | None = None
    columns: str | None = None
    assume_crs: str | None = None

    def options(self) -> dict[str, str]:
        """The ingest options (:class:`villagecov.sources.common.IngestOptions` fields)."""
        pairs = (("operator", self.operator), ("technology", self.technology), ("as_of", self.as_of),
                 ("evidence", self.evidence), ("value", self.value), ("sheet", self.sheet),
                 ("classes", self.classes), ("layer", self.layer), ("columns", self.columns),
                 ("assume_crs", self.assume_crs))
        return {**{k: v for k, v in pairs if v}, "boundary_version": self.boundaries}

    def fields(self, size: int, sha256: str) -> dict[str, Any]:
        """What the job record keeps of the form and the file."""
        return {"kind": self.kind, "operator": self.operator, "technology": self.technology, "as_of": self.as_of,
                "filename": self.filename, "options": self.options(), "size_bytes": size, "sha256": sha256}


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def scope_of(key: ApiKey) -> UploadScope:
    return UploadScope(key.role, key.operator, key.communes)


def authorize(key: ApiKey, form: UploadForm) -> UploadForm:
    """The form as it will be ingested; :class:`PermissionDenied` when the key may not send it."""
    if form.kind not in KINDS:
        raise InputError(f"unknown kind {form.kind!r}: use {', '.join(KINDS)}", field="kind")
    if form.operator is not None and form.operator not in OPERATORS:
        raise InputError(f"unknown operator {form.operator!r}", field="operator")
    if key.role not in ("admin", *ROLE_KINDS):
        raise PermissionDenied(f"role {key.role!r} cannot upload")
    if not scope_of(key).may_upload(form.kind):
        raise PermissionDenied(f"{_a(key.role)} {key.role} key cannot upload {form.kind}")
    if key.role == "operator":
        if form.operator not in (None, key.operator):
            raise PermissionDenied(f"this key uploads only {key.operator}'s data, not {form.operator}'s")
        return dataclasses.replace(form, operator=key.operator)
    return form
