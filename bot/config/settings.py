"""The environment variables of INTERFACE.md, validated like the file (one message per mistake)."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config.load import ConfigError, _problems
from bot.config.schema import _show, _web_address


class Settings(BaseSettings):
    """The environment variables of INTERFACE.md, one field each (PORT is `port`)."""

    model_config = SettingsConfigDict(frozen=True)

    database_url: str = Field("sqlite:///./incidents.db", repr=False)
    slack_bot_token: str | None = Field(None, repr=False)
    slack_signing_secret: str | None = Field(None, repr=False)
    slack_app_token: str | None = Field(None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    port: Annotated[int, Field(ge=1, le=65535)] = 3000
    incident_config: Path = Path("./incidents.yaml")
    webhook_token: str | None = Field(None, repr=False)
    public_url: str = "http://localhost:3000"
    run_worker: bool | None = None
    access_log: bool = False  # a line per HTTP request; the platform's router already logs each one
    # the web console: Sign in with Slack, an operator's token, and the cookie signing key
    slack_client_id: str | None = None
    slack_client_secret: str | None = Field(None, repr=False)
    console_token: str | None = Field(None, repr=False)
    session_secret: str | None = Field(None, repr=False)
    # ways to page besides Slack; each is off while its settings are missing
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = Field(None, repr=False)
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    ntfy_url: str | None = None
    smtp_url: str | None = Field(None, repr=False)
    pagerduty_routing_key: str | None = Field(None, repr=False)
    pagerduty_webhook_secret: str | None = Field(None, repr=False)
    pagerduty_events_url: str = "https://events.pagerduty.com"
    # watching the bot and the monitoring
    healthcheck_ping_url: str | None = Field(None, repr=False)  # an outside dead man's switch, GET once a minute
    alertmanager_url: str | None = None  # maintenance windows also silence the service's alerts there

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any, **_: Any) -> tuple:
        """Only what load_settings passes in, so tests never pick up the host's variables or a .env file."""
        return (init_settings,)

    @model_validator(mode="before")
    @classmethod
    def _public_url_follows_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and "public_url" not in data and "port" in data:
            return {**data, "public_url": f"http://localhost:{data['port']}"}
        return data

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """Any SQLAlchemy URL; postgres:// as platforms hand it out means the installed psycopg 3 driver."""
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                f"{_show(value)} is not a database URL; "
                "use e.g. sqlite:///./incidents.db or postgresql+psycopg://user@host/db"
            ) from None
        if url.drivername in ("postgres", "postgresql"):
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_base(cls, value: str) -> str:
        return _web_address(value).rstrip("/") + "/"

    @field_validator("public_url", "twilio_api_url", "ntfy_url", "pagerduty_events_url", "alertmanager_url")
    @classmethod
    def _link_base(cls, value: str | None) -> str | None:
        return None if value is None else _web_address(value).rstrip("/")

    @field_validator("healthcheck_ping_url")
    @classmethod
    def _ping_url(cls, value: str | None) -> str | None:
        return None if value is None else _web_address(value)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def worker_in_web(self) -> bool:
        """RUN_WORKER when set; otherwise only with SQLite, which a single process should own."""
        if self.run_worker is not None:
            return self.run_worker
        return make_url(self.database_url).get_backend_name() == "sqlite"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from environ (os.environ by default); a variable set to the empty string counts as unset."""
    environ = os.environ if environ is None else environ
    values = {name: environ[name.upper()] for name in Settings.model_fields if environ.get(name.upper())}
    try:
        return Settings(**values)
    except ValidationError as exc:
        lines = (f"environment variable {loc[0].upper()}: {message}" for loc, message in _problems(exc, Settings))
        raise ConfigError("\n".join(lines)) from None
