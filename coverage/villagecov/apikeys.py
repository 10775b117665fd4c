"""API keys: created by `villagecov keys create`, stored hashed in the ``api_keys`` table;
listed by `villagecov keys list`, revoked by `villagecov keys revoke`; optionally expiring.

A key reads ``vc_<key_id>_<secret>``; only the sha256 of the whole key is stored, so the
printed key cannot be recovered from the store. The secret has 256 bits of entropy, so a plain
sha256 (no slow KDF) is enough to make a stolen table useless.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from villagecov.errors import InputError, NotAuthenticated, NotFound
from villagecov.schema import MOBILE_OPERATORS, OPERATORS, ROLES
from villagecov.storage import Store

PREFIX = "vc_"


@dataclass(frozen=True)
class ApiKey:
    """Who a key belongs to. ``operator`` for operator keys, ``communes`` for surveyor keys."""

    key_id: str
    role: str
    operator: str | None
    communes: frozenset[str]
    label: str | None = None
    expires_at: datetime | None = None


def parse_expiry(text: str | None) -> datetime | None:
    """``--expires``: ``90d`` (days from now), ``YYYY-MM-DD`` (UTC midnight) or an ISO time."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if value[:-1].isdigit() and value[-1:] in ("d", "D"):
        return datetime.now(UTC) + timedelta(days=int(value[:-1]))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{text!r} is not a date, an ISO time or a number of days like 90d",
                         field="--expires") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    store: Store,
    role: str,
    *,
    operator: str | None = None,
    communes: list[str] | None = None,
    label: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its secret text (shown once, never stored).
    ``expires_at`` (UTC): the key stops working then; None: until revoked."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}: use {', '.join(ROLES)}", field="--role")
    if role == "operator" and operator not in OPERATORS:
        raise InputError(f"an operator key needs --operator, one of {', '.join(MOBILE_OPERATORS)}, ...",
                         field="--operator")
    if role == "surveyor" and not communes:
        raise InputError("a surveyor key needs --communes CODE,CODE,...", field="--communes")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise InputError(f"the expiry {expires_at.isoformat()} is in the past", field="--expires")
    codes = sorted({c.strip() for c in communes or [] if c.strip()})
    key_id = secrets.token_hex(6)
    text = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    info = ApiKey(key_id, role, operator if role == "operator" else None,
                  frozenset(codes) if role == "surveyor" else frozenset(), label, expires_at)
    row = {
        "key_id": key_id, "key_hash": hash_key(text), "role": role, "operator": info.operator,
        "communes": ",".join(sorted(info.communes)) or None, "label": label,
        "created_at": datetime.now(UTC), "revoked": False, "expires_at": expires_at, "revoked_at": None,
    }
    with store.transaction() as tx:
        tx.append("api_keys", pd.DataFrame([row]))
    return info, text


def verify_key(store: Store, text: str | None) -> ApiKey:
    """The :class:`ApiKey` for ``text``; :class:`NotAuthenticated` when missing, unknown, revoked
    or expired (the last two said only to whoever holds the right secret)."""
    if not text:
        raise NotAuthenticated("this action needs an API key (header X-API-Key)")
    parts = text.strip().removeprefix(PREFIX).split("_", 1)
    if not text.strip().startswith(PREFIX) or len(parts) != 2 or not parts[0].isalnum() or len(text) > 200:
        raise NotAuthenticated("the API key is not valid")
    rows = store.read("api_keys", where={"key_id": parts[0]})
    if rows.empty:
        raise NotAuthenticated("the API key is not valid")
    r = rows.iloc[0]
    if not hmac.compare_digest(str(r["key_hash"]), hash_key(text.strip())):
        raise NotAuthenticated("the API key is not valid")
    if bool(r["revoked"]):
        raise NotAuthenticated("the API key was revoked")
    expires = None if pd.isna(r["expires_at"]) else pd.Timestamp(r["expires_at"]).to_pydatetime()
    if expires is not None and expires <= datetime.now(UTC):
        raise NotAuthenticated("the API key has expired")
    communes = frozenset(c for c in str(r["communes"] or "").split(",") if c)
    return ApiKey(str(r["key_id"]), str(r["role"]), r["operator"] or None, communes, r["label"] or None, expires)


def list_keys(store: Store) -> pd.DataFrame:
    """Every key without its hash: id, role, operator, communes, label, created, expires, state."""
    rows = store.read("api_keys").drop(columns=["key_hash"])
    now = pd.Timestamp.now(tz="UTC")
    state = ["revoked" if bool(r) else "expired" if pd.notna(e) and e <= now else "active"
             for r, e in zip(rows["revoked"], rows["expires_at"], strict=True)]
    return rows.assign(state=state).sort_values("created_at", kind="stable").reset_index(drop=True)


def revoke_key(store: Store, key_id: str) -> ApiKey:
    """Revoke the key ``key_id`` at once (uploads it queued are refused when they run)."""
    with store.transaction() as tx:
        rows = tx.read("api_keys", {"key_id": key_id})
        if rows.empty:
            raise NotFound(f"no API key {key_id!r} (see `villagecov keys list`)")
        row = rows.iloc[[0]].copy()
        if not bool(row["revoked"].iloc[0]):
            row["revoked"], row["revoked_at"] = True, pd.Timestamp.now(tz="UTC")
            tx.delete("api_keys", {"key_id": key_id})
            tx.append("api_keys", row)
    r = row.iloc[0]
    return ApiKey(str(r["key_id"]), str(r["role"]), r["operator"] or None,
                  frozenset(c for c in str(r["communes"] or "").split(",") if c), r["label"] or None)
