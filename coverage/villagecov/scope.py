"""What an API key may write: the one authority on upload scope.

An admin key writes anything. An operator key writes only its own operator's sites, coverage
and measurements; a surveyor key only service surveys of villages in its communes. The check
runs on the rows *as ingest stores them* — after column mapping, name normalisation, every
layer and any encoding have been dealt with by the readers — inside the ingest transaction
(:func:`villagecov.ingest.ingest_file`), so no file form reaches a row outside the scope. One
row outside refuses the whole upload (:class:`~villagecov.errors.OutOfScope`, with a report).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from villagecov.errors import OutOfScope
from villagecov.schema import table
from villagecov.storage import Transaction

# The kinds of input (and so the tables) each role may write; admin: all.
ROLE_KINDS: dict[str, frozenset[str]] = {
    "operator": frozenset({"sites", "coverage", "measurements"}),
    "surveyor": frozenset({"services"}),
}
EXAMPLES = 5


@dataclass(frozen=True)
class UploadScope:
    """The scope of one key: ``operator`` for operator keys, ``communes`` (codes) for surveyors."""

    role: str
    operator: str | None = None
    communes: frozenset[str] = field(default_factory=frozenset)

    def may_upload(self, kind: str) -> bool:
        return self.role == "admin" or kind in ROLE_KINDS.get(self.role, frozenset())

    def check_rows(self, tx: Transaction, name: str, frame: pd.DataFrame, file: str) -> None:
        """Refuse (raise :class:`OutOfScope`) when any row of ``frame``, about to be appended to
        table ``name`` in ``tx``, lies outside this scope."""
        if self.role == "admin" or frame.empty:
            return
        if not self.may_upload(name):
            raise OutOfScope(
                f"{file}: {'an' if self.role[:1] in 'aeiou' else 'a'} {self.role} key cannot write {name}; nothing was ingested",
                {"table": name, "rows": len(frame), "reason": f"{self.role} keys cannot write {name}"},
            )
        if self.role == "operator":
            values = (
                frame["operator"].astype("object")
                if "operator" in frame.columns
                else pd.Series([None] * len(frame), index=frame.index, dtype="object")
            )
            bad = values.ne(self.operator) | values.isna()
            self._refuse_if(bad, values, name, "operator", frame, file, f"only {self.operator}'s rows")
            return
        ids = frame["village_id"].astype("object")
        commune = _communes_of(tx, sorted({str(v) for v in ids.dropna()}))
        where = ids.map(lambda v: commune.get(str(v), "(not in the village register)"))
        bad = ~where.isin(self.communes)
        self._refuse_if(
            bad,
            ids.astype(str) + " in " + where,
            name,
            "village_id",
            frame,
            file,
            f"only villages of communes {', '.join(sorted(self.communes))}",
        )

    def _refuse_if(
        self,
        bad: pd.Series,
        values: pd.Series,
        name: str,
        column: str,
        frame: pd.DataFrame,
        file: str,
        allowed: str,
    ) -> None:
        if not bad.any():
            return
        counts = Counter("(empty)" if pd.isna(v) else str(v) for v in values[bad])
        key = next((k for k in table(name).key if k in frame.columns), None)
        examples = [str(v) for v in frame.loc[bad, key].head(EXAMPLES)] if key else []
        listed = ", ".join(f"{v!r} ×{n}" for v, n in counts.most_common(3))
        raise OutOfScope(
            f"{file}: {int(bad.sum())} of {len(frame)} {name} rows are outside this key's scope "
            f"(field {column}: {listed}; the key writes {allowed}); nothing was ingested",
            {
                "table": name,
                "field": column,
                "rows": int(bad.sum()),
                "of": len(frame),
                "values": dict(counts.most_common(20)),
                "examples": examples,
                "allowed": allowed,
            },
        )


def _communes_of(tx: Transaction, village_ids: list[str]) -> dict[str, str]:
    """Each village's commune code in its latest register row, read inside ``tx``."""
    if not village_ids:
        return {}
    register = tx.read("villages", {"village_id": village_ids})
    if register.empty:
        return {}
    latest = register.sort_values("as_of", na_position="first").drop_duplicates("village_id", keep="last")
    return {str(v): str(c) for v, c in zip(latest["village_id"], latest["commune_code"], strict=True)}
