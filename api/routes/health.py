"""Liveness and readiness for the load balancer and for `make run` users."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz")
def health(store: StoreDep) -> HealthOut:
    return HealthOut(status="ok", records=store.count(), kb_version=store.kb_version())
