"""Settings of an openkyc deployment, read from ``OPENKYC_*`` environment variables."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from openkyc.storage.base import S3Options

MIB = 1024 * 1024
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Settings(BaseSettings):
    """Every knob of openkyc. The defaults are the embedded mode: SQLite and local files."""

    model_config = SettingsConfigDict(env_prefix="OPENKYC_", env_file=None, extra="ignore")

    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("openkyc-data")
    # Base URL used in links (`_links`, `Location`, the gatherer). Empty: taken from the request,
    # whose host must then be an allowed one.
    public_url: str = ""
    # Host names the server answers to (comma-separated; `*.example.com` for sub-domains, `*`
    # for any): others get a 400. The public URL's host is always one; in development, so are
    # loopback names and `host`.
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDRs);
    # none by default: the client is the peer of the connection.
    trusted_proxies: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()
    database_url: str = ""
    # PostgreSQL connections each process keeps open, and how many more it may open at peaks
    # (README: sizing the pool). SQLite ignores both.
    database_pool_size: int = Field(default=10, ge=1, le=1000)
    database_max_overflow: int = Field(default=20, ge=0, le=1000)
    # `file:///path` (default: the data folder) or `s3://bucket/prefix` with the `s3_*` settings.
    storage_url: str = ""
    # S3-compatible storage; empty values fall back to boto3's own (AWS_* variables, roles).
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = Field(default="", repr=False)
    # `path` for most self-hosted servers (SeaweedFS, MinIO), `virtual` or `auto` for AWS.
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # Signs gatherer links and other tokens; generated into the data folder when empty.
    secret_key: str = ""
    # Keys replaced by `secret_key` (comma-separated): what they signed still verifies and what
    # they sealed still opens (and is sealed again under the new key at the next start).
    previous_secret_keys: Annotated[tuple[str, ...], NoDecode] = ()

    # Scripted set-ups (containers, CI) can fix the first organization and its key.
    bootstrap_organization_id: str = ""
    bootstrap_organization_name: str = "My organization"
    bootstrap_api_key: str = ""

    # Logs on stderr: `text` for people, `json` (one object per line) for log collectors.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # `openkyc worker` serves its Prometheus metrics on this port (0: none); API nodes serve
    # them at `/metrics`.
    metrics_port: int = Field(default=0, ge=0, le=65535)

    # Rate limit of mutating requests, per organization, in the `limits` notation.
    rate_limit: str = "3000/10minutes"
    rate_limit_storage: str = "memory://"
    # Lookups of gatherer short links (`/g/{code}`), per client address: what keeps their
    # codes from being guessed.
    short_link_rate_limit: str = "30/10minutes"

    max_body_bytes: int = Field(default=1 * MIB, ge=1024)
    max_file_bytes: int = Field(default=20 * MIB, ge=1024)
    max_image_pixels: int = Field(default=60_000_000, ge=10_000)
    # Memory, in MiB, that the full decodes of uploaded images may take at once in a process;
    # more concurrent uploads wait their turn.
    upload_decode_memory_mb: int = Field(default=256, ge=16)

    url_fetch_timeout: float = Field(default=10.0, gt=0)
    url_fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    # Lets the server fetch files from loopback and private networks (development, tests).
    allow_private_urls: bool = False
    # Networks URL uploads may reach although they are not public, as comma-separated CIDRs
    # (`10.20.0.0/16,127.0.0.1/32`): exactly these, nothing else of the private ranges.
    url_fetch_allowed_networks: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()

    jwt_default_ttl_seconds: int = Field(default=3600, ge=60)
    # The longest a token of `POST /sessions` may live; a later `expiredTime` is refused.
    jwt_max_ttl_seconds: int = Field(default=86400, ge=60)
    # The back office signs a person out after this long without a request, and after
    # OPENKYC_BACKOFFICE_SESSION_HOURS whatever they do.
    backoffice_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    backoffice_session_hours: int = Field(default=12, ge=1, le=24)

    # Which credit bureau checks credit-file-proof; openkyc ships the sandbox bureau.
    credit_bureau: str = "sandbox"
    # How often expired KYC requests are moved to abandoned/expired (0 turns it off here).
    expiry_interval_seconds: float = Field(default=15.0, ge=0)
    # Finished webhook deliveries, the events behind them and finished jobs are deleted after
    # this many days (0 keeps them forever), checked every `retention_interval_seconds`.
    retention_days: float = Field(default=90.0, ge=0)
    retention_interval_seconds: float = Field(default=3600.0, ge=0)
    # Stored bytes that no record refers to (a crash between writing them and committing their
    # row) are removed every `storage_sweep_interval_seconds` (0 turns it off here), once last
    # written more than `storage_sweep_grace_seconds` ago: uploads in flight are never touched.
    storage_sweep_interval_seconds: float = Field(default=21600.0, ge=0)
    storage_sweep_grace_seconds: float = Field(default=86400.0, ge=600)

    # Identity and address documents go to the analyser as they are created; off, they all
    # wait for a person.
    auto_analysis: bool = True
    # `openkyc serve` runs the background worker itself; turn off when `openkyc worker`
    # processes do the work.
    embedded_worker: bool = True
    worker_threads: int = Field(default=2, ge=1, le=64)
    # Processes that run the analyser (models load once in each); 0 runs it in the worker's
    # threads.
    analysis_processes: int = Field(default=2, ge=0, le=64)
    analysis_timeout_seconds: float = Field(default=120.0, gt=0)
    # Address space of each analysis process, in MiB (0: no limit); an analysis that needs more
    # stops and its document waits for a person with the reason.
    analysis_memory_limit_mb: int = Field(default=4096, ge=0)
    # The quality gate (docs/gatherer.md): a customer's upload is checked in about a second
    # before it becomes a document (only while auto_analysis is on). Its own processes
    # (0: in the request's thread), so that it never waits behind the full analyses; a check
    # that takes longer than its timeout lets the document through to the full analysis.
    quality_gate: bool = True
    gate_processes: int = Field(default=1, ge=0, le=16)
    gate_timeout_seconds: float = Field(default=10.0, gt=0)
    # A running job's worker renews its lease every third of this; a worker that died leaves
    # its jobs to others once it has passed.
    job_lease_seconds: float = Field(default=60.0, ge=1)

    # Webhook delivery (docs/webhooks.md). Deliveries in flight at once in each process.
    webhook_concurrency: int = Field(default=64, ge=1, le=512)
    webhook_connect_timeout: float = Field(default=5.0, gt=0)
    # The whole attempt (name resolution, connection, request, response) ends by then.
    webhook_timeout: float = Field(default=15.0, gt=0)
    # A claimed delivery is another worker's to take once this has passed without an answer;
    # it must exceed the timeout so an attempt never overlaps its own retry.
    webhook_lease_seconds: float = Field(default=60.0, gt=0)
    # How often an idle worker looks for due deliveries another process created.
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    # Attempts per delivery; retries wait base * 3**(n-1) seconds (at most the maximum), +-25%.
    webhook_max_attempts: int = Field(default=13, ge=1, le=100)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_delay_seconds: float = Field(default=86400.0, gt=0)
    # A subscription whose every attempt failed for this long is deactivated.
    webhook_disable_after_seconds: float = Field(default=5 * 86400.0, gt=0)
    # Organizations may let their webhooks reach loopback and private networks
    # (`allowPrivateNetworks` in /webhook-settings). Unset: yes in development, no in
    # production, where the operator must allow it.
    webhook_private_networks_opt_in: bool | None = None
    # Networks every organization's webhooks may reach although they are not public (CIDRs).
    webhook_allowed_networks: Annotated[tuple[IPvAnyNetwork, ...], NoDecode] = ()

    @field_validator(
        "url_fetch_allowed_networks",
        "webhook_allowed_networks",
        "previous_secret_keys",
        "allowed_hosts",
        "trusted_proxies",
        mode="before",
    )
    @classmethod
    def _split_lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError(
                "OPENKYC_SECRET_KEY must be set to at least 32 random characters in production"
            )
        return self

    @model_validator(mode="after")
    def _private_networks_by_environment(self) -> Settings:
        if self.webhook_private_networks_opt_in is None:
            self.webhook_private_networks_opt_in = self.environment == "development"
        return self

    @property
    def accepted_hosts(self) -> frozenset[str]:
        """The host names requests may name (see ``allowed_hosts``)."""
        hosts = {host.strip().lower() for host in self.allowed_hosts}
        if self.public_url:
            hosts.add((urlsplit(self.public_url).hostname or "").lower())
        if self.environment == "development" or not hosts:
            hosts |= LOOPBACK_HOSTS
            if self.host not in ("0.0.0.0", "::", ""):
                hosts.add(self.host.strip("[]").lower())
        return frozenset(hosts - {""})

    @model_validator(mode="after")
    def _lease_outlasts_an_attempt(self) -> Settings:
        if self.webhook_lease_seconds <= self.webhook_timeout:
            raise ValueError("OPENKYC_WEBHOOK_LEASE_SECONDS must exceed OPENKYC_WEBHOOK_TIMEOUT")
        return self

    def background_problem(self) -> str | None:
        """Why this process must not run background work, if it must not: in production the
        links it sends (webhooks, gatherer links) need the address customers reach."""
        if self.environment == "production" and not self.public_url:
            return (
                "OPENKYC_PUBLIC_URL must be set in production where background work runs: the "
                "links in webhooks and e-mails would otherwise point at "
                f"http://{self.host}:{self.port}"
            )
        return None

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openkyc.db').resolve()}"

    @cached_property
    def resolved_storage_url(self) -> str:
        if self.storage_url:
            return self.storage_url
        return (self.data_dir / "files").resolve().as_uri()

    @property
    def s3_options(self) -> S3Options:
        return S3Options(
            endpoint_url=self.s3_endpoint_url,
            region=self.s3_region,
            access_key_id=self.s3_access_key_id,
            secret_access_key=self.s3_secret_access_key,
            addressing_style=self.s3_addressing_style,
        )

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured secret, or one kept in the data folder across restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key

    @property
    def verifying_keys(self) -> tuple[str, ...]:
        """The secret key first, then the previous ones: any of them verifies and opens."""
        return (self.resolved_secret_key, *self.previous_secret_keys)

    @property
    def upload_decode_bytes(self) -> int:
        return self.upload_decode_memory_mb * MIB

    @property
    def max_upload_body_bytes(self) -> int:
        # Base64 in JSON grows a file by a third; leave room for the other fields.
        return self.max_file_bytes * 4 // 3 + 64 * 1024


def settings_with(**overrides: Any) -> Settings:
    """The settings of the environment, with the command-line options that were given."""
    return Settings(**{name: value for name, value in overrides.items() if value is not None})
