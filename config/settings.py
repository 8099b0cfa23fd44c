"""Service settings, read from environment variables (prefix ``POLICY_``) and an optional ``.env``.

Only entry points (``manage.py``, the ASGI factory, tests) construct `Settings`; library code gets
plain values passed into constructors. Secrets have no defaults: a feature that needs one refuses
to start without it rather than running with a guessable value.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from config import calibrated

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"


def default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'policy.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="POLICY_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: a SQLite file under var/ by default, or postgresql+psycopg://…",
    )
    host: str = Field(default="127.0.0.1", validation_alias="HOST")
    port: int = Field(default=8000, validation_alias="PORT")
    # Worker processes `manage.py serve` (so `make run`) starts, uvicorn's variable. On two cores
    # two answered the chat benchmark faster in most runs (docs/benchmarks.md, "Chat path");
    # each worker loads its own search index (memory).
    web_workers: int = Field(default=1, ge=1, validation_alias="WEB_CONCURRENCY")

    life_events_path: Path = CONFIG_DIR / "life_events.yaml"
    dictionary_path: Path = CONFIG_DIR / "dictionary.txt"
    synonyms_path: Path = CONFIG_DIR / "synonyms.yaml"
    legal_synonyms_path: Path = CONFIG_DIR / "legal_synonyms.yaml"
    stopwords_path: Path = CONFIG_DIR / "stopwords.txt"
    demo_knowledge_dir: Path = PROJECT_ROOT / "knowledge" / "demo"
    intent_cues_path: Path = CONFIG_DIR / "intent_cues.yaml"
    departments_path: Path = CONFIG_DIR / "departments.yaml"

    # The consultation queue: working days allowed per kind of request, staff log-in rules, and
    # how often the deliverer sends staff replies.
    consultation_days: int = 3
    disclosure_days: int = 20
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    staff_session_hours: int = 8
    delivery_interval_seconds: float = 2.0
    secure_cookies: bool = False  # True behind HTTPS: staff cookies are then never sent in clear
    # Levels of review an FAQ drafted from a staff reply passes before publication (三级审核).
    review_levels: int = Field(default=3, ge=1, le=9)

    # Search: where the built index is kept, how often workers look for a new KB version, and
    # the confidence thresholds of the answer / clarify / escalate bands (docs/search.md).
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    index_watch_seconds: float = 5.0
    # Fitted by `manage.py calibrate` (config/calibrated.py); recalibrate when the analysis
    # changes.
    search_answer_threshold: float = calibrated.ANSWER_THRESHOLD
    search_clarify_threshold: float = calibrated.CLARIFY_THRESHOLD
    confidence_weights: tuple[float, float, float] = calibrated.CONFIDENCE_WEIGHTS
    confidence_bias: float = calibrated.CONFIDENCE_BIAS
    # Re-ranking by meaning with a bundled embedding model (docs/search-quality.md). Off: search
    # by words only. Record vectors are kept in the cache file so a restart or a rebuild embeds
    # only new or changed records. One model thread per worker process: the model's OpenMP
    # threads spin while they wait, and two workers with two threads each on two cores made a
    # question's p99 seconds long (docs/benchmarks.md); unset, the model takes every core.
    semantic_search: bool = True
    semantic_weight: float = 3.0
    semantic_gate_margin: float = 0.2
    semantic_gate_coverage: float = 0.3
    vector_cache_path: Path = PROJECT_ROOT / "var" / "vectors.npz"
    embedding_threads: int | None = Field(default=1, ge=1)

    # Secrets used by later capabilities. No defaults: each is required only where it is used.
    session_secret: SecretStr | None = None
    wechat_token: SecretStr | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_aes_key: SecretStr | None = None
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None

    def require(self, name: str) -> str:
        """The value of a secret setting, or a clear error naming the variable to set."""
        value = getattr(self, name)
        if value is None:
            raise RuntimeError(f"缺少配置 POLICY_{name.upper()}：请在环境变量或 .env 中设置")
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)
