"""The ASGI application factory.

`create_app` takes plain values (tests pass their own database); `create_app_from_env` is the
entry point uvicorn calls and the only place here that reads settings.
"""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from api.console import api as console_api
from api.console import consultation_pages, kb_search, reviews
from api.console import pages as console_pages
from api.console import reports as console_reports
from api.routes import chat, health, knowledge, pages, search
from bot.wiring import open_engine, open_queue
from config.settings import Settings
from indexer.wiring import open_search
from knowledge.store.wiring import open_knowledge

_HERE = Path(__file__).resolve().parent


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        knowledge = open_knowledge(settings.database_url, settings.life_events_path)
        search = open_search(settings, knowledge.store, knowledge.taxonomy)
        _ = search.current  # load or build before the first request, not during it
        search.watch(settings.index_watch_seconds)
        engine, conversations = open_engine(settings, knowledge, search)
        queue = open_queue(settings, knowledge)
        queue.deliverer.start(settings.delivery_interval_seconds)
        app.state.knowledge, app.state.search = knowledge, search
        app.state.engine, app.state.conversations = engine, conversations
        app.state.queue = queue
        # What start-up loaded (the index, jieba's dictionary, the taxonomy) lives as long as
        # the process: out of the collector's sight, the collections that requests trigger do
        # not walk it again and again (a full one took milliseconds; docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # a process that makes several apps (the tests) gets them collected
            queue.deliverer.close()
            search.close()
            knowledge.close()

    app = FastAPI(title="政策咨询助手", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="pa_staff",
        max_age=settings.staff_session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.state.templates = Jinja2Templates(directory=_HERE / "templates")
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(search.router)
    app.include_router(chat.router)
    app.include_router(console_reports.router)
    app.include_router(reviews.router)
    app.include_router(console_pages.router)
    app.include_router(consultation_pages.router)
    app.include_router(kb_search.router)
    app.include_router(console_api.router)
    app.include_router(console_api.session_router)
    app.include_router(pages.router)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def session_secret(settings: Settings) -> str:
    """POLICY_SESSION_SECRET; without it, a random one kept in var/ (made once, mode 0600), so
    `make run` works and sessions survive restarts. Several workers or machines must share one:
    set POLICY_SESSION_SECRET for them."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = settings.index_dir.parent / "session_secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def create_app_from_env() -> FastAPI:
    return create_app(Settings())


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _error_response(request: Request, status_code: int, detail: object) -> Response:
    if _wants_html(request):
        templates: Jinja2Templates = request.app.state.templates
        context = {"status": status_code, "detail": detail}
        return templates.TemplateResponse(request, "error.html", context, status_code=status_code)
    return JSONResponse({"detail": detail}, status_code=status_code)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_response(request, exc.status_code, exc.detail)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
    ]
    return _error_response(request, 422, "请求参数不正确：" + "；".join(problems))
