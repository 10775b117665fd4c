"""``/challenges``: "report a problem here" from the maps, reviewed by admins.

Public: ``POST /challenges`` (rate limited per client address) and ``GET /challenges/villages``
(villages with open reports, no contacts). Admins (API key of role ``admin``): ``GET
/challenges`` with contacts and ``POST /challenges/{id}/resolve``. Storage and rules live in
:mod:`villagecov.challenges`; this router only parses and serialises.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from villagecov import challenges
from villagecov.api import errors
from villagecov.api.deps import ApiKeyDep, StoreDep
from villagecov.api.ratelimit import RateLimiter
from villagecov.errors import PermissionDenied
from villagecov.settings import UploadSettings

Problem = Literal["no_signal", "weak_signal", "slow_data", "has_signal", "service_missing", "other"]
assert set(Problem.__args__) == set(challenges.PROBLEMS)  # type: ignore[attr-defined]


class ChallengeBody(BaseModel):
    village_id: str = Field(min_length=1, max_length=64, description="the village, as in /villages/{id}")
    problem: Problem = Field(description="what is wrong")
    operator: Literal["mobifone", "vinaphone", "viettel", "vietnamobile", "gmobile"] | None = None
    technology: Literal["2G", "3G", "4G", "5G"] | None = None
    details: str = Field("", max_length=challenges.MAX_DETAILS)
    contact: str = Field("", max_length=challenges.MAX_CONTACT, description="phone or e-mail (admins only see it)")


class Resolution(BaseModel):
    status: Literal["upheld", "rejected"]
    note: str = Field("", max_length=challenges.MAX_DETAILS)


def _admin(key) -> None:
    if key.role != "admin":
        raise PermissionDenied("only an admin key may read or resolve challenges")


def router_for(settings: UploadSettings) -> APIRouter:
    """The challenges router with its own rate limiter (``settings.challenges_per_hour``)."""
    router = APIRouter(tags=["Challenges"])
    limiter = RateLimiter(settings.challenges_per_hour, 3600.0)

    @router.post("/challenges", status_code=201, summary="Report a coverage problem in a village (public, rate limited)",
                 responses={201: {"description": "stored for review"}, 404: {"description": "no such village"},
                            429: {"description": "too many reports from this address"}})
    def submit(request: Request, store: StoreDep, body: ChallengeBody) -> Any:
        client = request.client.host if request.client else "unknown"
        wait = limiter.hit(client)
        if wait:
            resp = errors.problem(429, "Too many requests",
                                  f"too many reports from this address: retry in {math.ceil(wait)} s", "/challenges")
            resp.headers["Retry-After"] = str(math.ceil(wait))
            return resp
        item = challenges.ChallengeIn(body.village_id, body.problem, body.operator, body.technology, body.details,
                                      body.contact)
        out = challenges.submit(store, item)
        out.pop("contact", None)
        return JSONResponse(out, status_code=201, headers={"Location": f"/challenges/{out['challenge_id']}"})

    @router.get("/challenges/villages", summary="Villages with open challenges (public, no contacts)")
    def villages(store: StoreDep) -> dict[str, Any]:
        return {"villages": challenges.challenged_villages(store)}

    @router.get("/challenges", summary="All challenges with contacts (admin key)")
    def listing(store: StoreDep, key: ApiKeyDep,
                status: Annotated[Literal["open", "upheld", "rejected"] | None, Query()] = None) -> dict[str, Any]:
        _admin(key)
        return {"challenges": challenges.list_challenges(store, status)}

    @router.post("/challenges/{challenge_id}/resolve", summary="Resolve a challenge as upheld or rejected (admin key)")
    def resolve(store: StoreDep, key: ApiKeyDep, body: Resolution,
                challenge_id: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]) -> dict[str, Any]:
        _admin(key)
        return challenges.resolve(store, challenge_id, body.status, body.note, key.key_id)

    return router
