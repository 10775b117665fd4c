"""API keys: created by `villagecov keys create`, stored hashed in the ``api_keys`` table.

A key reads ``vc_<key_id>_<secret>``; only the sha256 of the whole key is stored, so the
printed key cannot be recovered from the store. The secret has 256 bits of entropy, so a plain
sha256 (no slow KDF) is enough to make a stolen table useless.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from villagecov.errors import InputError, NotAuthenticated
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


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    store: Store,
    role: str,
    *,
    operator: str | None = None,
    communes: list[str] | None = None,
    label: str | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its secret text (shown once, never stored)."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}: use {', '.join(ROLES)}", field="--role")
    if role == "operator" and operator not in OPERATORS:
        raise InputError(f"an operator key needs --operator, one of {', '.join(MOBILE_OPERATORS)}, ...",
                         field="--operator")
    if role == "surveyor" and not communes:
        raise InputError("a surveyor key needs --communes CODE,CODE,...", field="--communes")
    codes = sorted({c.strip() for c in communes or [] if c.strip()})
    key_id = secrets.token_hex(6)
    text = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    info = ApiKey(key_id, role, operator if role == "operator" else None,
                  frozenset(codes) if role == "surveyor" else frozenset(), label)
    row = {
        "key_id": key_id, "key_hash": hash_key(text), "role": role, "operator": info.operator,
        "communes": ",".join(sorted(info.communes)) or None, "label": label,
        "created_at": datetime.now(UTC), "revoked": False,
    }
    with store.transaction() as tx:
        tx.append("api_keys", pd.DataFrame([row]))
    return info, text


def verify_key(store: Store, text: str | None) -> ApiKey:
    """The :class:`ApiKey` for ``text``; :class:`NotAuthenticated` when missing, unknown or revoked."""
    if not text:
        raise NotAuthenticated("this action needs an API key (header X-API-Key)")
    parts = text.strip().removeprefix(PREFIX).split("_", 1)
    if not text.strip().startswith(PREFIX) or len(parts) != 2 or not parts[0].isalnum():
        raise NotAuthenticated("the API key is not valid")
    rows = store.read("api_keys", where={"key_id": parts[0]})
    if rows.empty:
        raise NotAuthenticated("the API key is not valid")
    r = rows.iloc[0]
    if not hmac.compare_digest(str(r["key_hash"]), hash_key(text.strip())) or bool(r["revoked"]):
        raise NotAuthenticated("the API key is not valid")
    communes = frozenset(c for c in str(r["communes"] or "").split(",") if c)
    return ApiKey(str(r["key_id"]), str(r["role"]), r["operator"] or None, communes, r["label"] or None)
