"""Configuration: the environment (``settings``), the file's schema (``schema``), and reading it (``load``)."""

from bot.config.load import ConfigError, load_config
from bot.config.schema import (
    BusinessHoursConfig,
    EscalationPolicyConfig,
    Handoff,
    HoursConfig,
    IncidentConfig,
    LayerConfig,
    RotationConfig,
    ScheduleConfig,
    SeverityConfig,
    TargetConfig,
)
from bot.config.settings import Settings, load_settings

__all__ = [
    "BusinessHoursConfig", "ConfigError", "EscalationPolicyConfig", "Handoff", "HoursConfig", "IncidentConfig",
    "LayerConfig", "RotationConfig", "ScheduleConfig", "SeverityConfig", "Settings", "TargetConfig", "load_config",
    "load_settings",
]
