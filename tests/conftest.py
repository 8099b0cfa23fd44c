"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
the taxonomy, a served application on a loopback port, and the shared data folder."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine, text

from config.settings import CONFIG_DIR, PROJECT_ROOT, Settings
from config.taxonomy import Taxonomy, load_taxonomy
from knowledge.store.wiring import KnowledgeBase, open_knowledge

LIFE_EVENTS = CONFIG_DIR / "life_events.yaml"
DEMO_DIR = PROJECT_ROOT / "knowledge" / "demo"
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(LIFE_EVENTS)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the project")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema in the PostgreSQL named by TEST_DATABASE_URL, migrated once."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_KEEP = {"alembic_version", "kb_state"}


def _reset_postgres(url: str) -> None:
    """Empty every table of the private schema (whatever later migrations added)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            name
            for name in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            if name not in _KEEP
        ]
        if tables:
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        conn.execute(text("UPDATE kb_state SET version = 0"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs once per database; the PostgreSQL run is skipped without one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kb.db'}"
    url: str = request.getfixturevalue("postgres_url")
    open_knowledge(url, LIFE_EVENTS).close()  # migrate (a no-op after the first time)
    _reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture
def kb(database_url: str) -> Iterator[KnowledgeBase]:
    knowledge = open_knowledge(database_url, LIFE_EVENTS)
    yield knowledge
    knowledge.close()


@pytest.fixture
def sqlite_kb(sqlite_url: str) -> Iterator[KnowledgeBase]:
    knowledge = open_knowledge(sqlite_url, LIFE_EVENTS)
    yield knowledge
    knowledge.close()


def settings_for(database_url: str, index_dir: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a test: its own database and index folder, quick index watching, search by
    words only (tests/test_semantic.py covers meaning; embedding the demo base takes a minute);
    `overrides` set any other setting (e.g. delivery_interval_seconds=0.2)."""
    index = index_dir or Path(database_url.removeprefix("sqlite:///")).with_suffix(".index")
    values: dict[str, Any] = {
        "index_watch_seconds": 0.2,
        "semantic_search": False,
        "vector_cache_path": index.with_name(index.name + "-vectors.npz"),
        **overrides,
    }
    return Settings(database_url=database_url, index_dir=index, **values)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The real application served by uvicorn on a loopback port, in a background thread."""

    def __init__(self, database_url: str, index_dir: Path | None = None, **overrides: Any) -> None:
        from api.main import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = settings_for(database_url, index_dir, **overrides)
        self.settings = settings
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database holding the bundled demo knowledge base, loaded once per session."""
    from knowledge.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    knowledge = open_knowledge(url, LIFE_EVENTS)
    try:
        report = load_demo(knowledge.importer, DEMO_DIR)
        assert report.ok, [str(e) for f in report.files for e in f.errors]
    finally:
        knowledge.close()
    return url


def copy_of_demo(demo_database: str, directory: Path) -> str:
    """A private copy of the demo database, for tests that write conversations or consultations."""
    copy = directory / "demo-copy.db"
    copy.write_bytes(Path(demo_database.removeprefix("sqlite:///")).read_bytes())
    return f"sqlite:///{copy}"


@pytest.fixture(scope="session")
def demo_server(demo_database: str) -> Iterator[LiveServer]:
    with LiveServer(demo_database) as server:
        yield server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
