"""The configuration file's schema: pydantic models with the checks that name each mistake.

Every model refuses unknown keys; cross-references (a policy naming a schedule) are checked on
the whole file. Turning pydantic's errors into one line per problem is ``bot.config.load``'s job.
"""

import json
import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal, NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bot.core import calendar
from bot.core.durations import Duration, Offset, format_duration, parse_duration


class _Located(ValueError):
    """Problems a model validator found inside its own data, each with its key path below the model."""

    def __init__(self, problems: list[tuple[tuple, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{_path(loc)}: {message}" for loc, message in problems))


def _path(loc: tuple) -> str:
    """pydantic's loc as the file spells it: a.b[1].c ('[key]' marks a bad mapping key, named already)."""
    path = ""
    for part in loc:
        if part != "[key]":
            path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "top level"


def _show(value: Any) -> str:
    """A found value spelt as in the file, shortened so that one problem stays one line."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- value checks shared by the models ---------------------------------------------------------

_ROTATIONS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


def _name(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise ValueError(f"{_show(value)} is not a name; use lowercase letters, digits, - and _, such as sev1")
    return value


def _pattern(regex: str, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not re.fullmatch(regex, value):
            raise ValueError(f"{_show(value)} is not {what}")
        return value

    return AfterValidator(check)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{_show(name)} is not a time zone; use an IANA name such as Europe/Rome or UTC") from None
    return name


def _web_address(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{_show(value)} is not a web address; use a full one starting with http:// or https://")
    return value


def _day(value: Any) -> int:
    if isinstance(value, str) and (number := calendar.weekday(value)) is not None:
        return number
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 7:
        return value
    raise ValueError(f"{_show(value)} is not a day; use {calendar.WEEKDAY_FORMS}")


def _days(value: Any) -> tuple[int, ...]:
    """mon-fri, [mon, wed, fri] or a mix; as weekday numbers (0 = Monday), like datetime.weekday()."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise ValueError(f"{_show(value)} is not a set of days; use a range such as mon-fri or a list, [mon, wed]")
    days = set()
    for item in items:
        if isinstance(item, str) and "-" in item:
            first, last = (_day(end) for end in item.split("-", 1))
            days.update((first + step) % 7 for step in range((last - first) % 7 + 1))
        else:
            days.add(_day(item))
    return tuple(sorted(days))


def _clock(value: Any) -> Any:
    """HH:MM. YAML reads an unquoted 18:00 as the number 1080, so that case gets its own hint."""
    if isinstance(value, str) and (at := calendar.time_of_day(value)) is not None:
        return at
    if isinstance(value, time):
        return value
    if isinstance(value, int) and 60 <= value < 24 * 60:
        clock = f"{value // 60}:{value % 60:02d}"
        raise ValueError(
            f'{value} is not a time of day; write "{clock}" in quotes (YAML reads {clock} unquoted as {value})'
        )
    raise ValueError(f'{_show(value)} is not a time of day; use HH:MM in quotes, such as "09:00"')


class Handoff(NamedTuple):
    """When a shift changes: weekday (0 = Monday, None = every day) at a wall-clock time in the timezone."""

    weekday: int | None
    at: time


def _handoff(value: Any) -> Any:
    if isinstance(value, tuple):
        return value
    if isinstance(value, int):  # an unquoted 9:00, which _clock explains
        return Handoff(None, _clock(value))
    if isinstance(value, str):
        day, _, clock = value.strip().rpartition(" ")
        try:
            return Handoff(_day(day) if day else None, _clock(clock))
        except ValueError:
            pass
    raise ValueError(
        f'{_show(value)} is not a handoff; use a day and time such as "mon 09:00", or a time such as "09:00"'
    )


def _rotation(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        if value.strip().lower() in _ROTATIONS:
            return value.strip().lower()
        try:
            return parse_duration(value)
        except ValueError:
            pass
    raise ValueError(f"{_show(value)} is not a rotation; use hourly, daily, weekly or a duration such as 12h")


Name = Annotated[str, AfterValidator(_name)]
ClockTime = Annotated[time, BeforeValidator(_clock)]
UserId = Annotated[str, _pattern(r"[UW][A-Z0-9]{2,}", "a Slack user ID; use the member ID, such as U01ABCDEF")]
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
HANDLE = re.compile(r"@[a-z0-9][a-z0-9._-]*", re.IGNORECASE)


def _member(value: Any) -> Any:
    """A Slack id as it is; an e-mail or an @handle as written, for ``bot.paging.members`` to resolve."""
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[UW][A-Z0-9]{2,}", text) or EMAIL.fullmatch(text) or HANDLE.fullmatch(text):
            return text
    raise ValueError(f'{_show(value)} is not a member; use a Slack member ID (U01ABCDEF), an e-mail '
                     '(alice@example.com) or an @handle in quotes ("@alice")')


Member = Annotated[str, BeforeValidator(_member)]
UsergroupId = Annotated[str, _pattern(r"S[A-Z0-9]{2,}", "a Slack user group ID; use its ID, such as S01ABCDEF")]


# --- the configuration file --------------------------------------------------------------------


class _Strict(BaseModel):
    """Unknown keys are errors, so a misspelt key is named rather than ignored; an empty key keeps its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            fields = cls.model_fields
            return {k: v for k, v in data.items() if v is not None or k not in fields or fields[k].is_required()}
        return data


class BusinessHoursConfig(_Strict):
    days: Annotated[tuple[int, ...], BeforeValidator(_days)] = (0, 1, 2, 3, 4)
    start: ClockTime = time(9)
    end: ClockTime = time(18)

    @model_validator(mode="after")
    def _start_before_end(self) -> "BusinessHoursConfig":
        if self.start >= self.end:
            raise _Located([(("end",), f'"{self.end:%H:%M}" is not after start "{self.start:%H:%M}"')])
        return self


ChannelName = Annotated[
    str,
    BeforeValidator(lambda v: v.removeprefix("#") if isinstance(v, str) else v),
    _pattern(r"[a-z0-9_-]{1,80}|[CG][A-Z0-9]{2,}", "a Slack channel; use its name, such as incidents"),
]


class SlackConfig(_Strict):
    announce_channel: ChannelName = "incidents"
    channel_prefix: Annotated[
        str,
        _pattern(
            r"[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?",
            "a channel prefix; use up to 20 lowercase letters, digits or -, such as inc",
        ),
    ] = "inc"


class SeverityConfig(_Strict):
    label: str
    update_every: Duration
    separate_comms_lead: bool = False
    page: bool = False
    urgency: Literal["high", "low"] = "high"
    counts_as_downtime: bool | None = None  # None: the two most severe count against uptime


Zone = Annotated[str, AfterValidator(_zone)]


class RotationConfig(_Strict):
    """Members taking turns: ``members[n % len(members)]`` holds shift ``n`` (``bot.paging.rotation``)."""

    rotation: Annotated[Literal["hourly", "daily", "weekly"] | timedelta, BeforeValidator(_rotation)] = "weekly"
    handoff: Annotated[Handoff, BeforeValidator(_handoff)] = Handoff(0, time(9))
    members: Annotated[list[Member], Field(min_length=1)]

    @property
    def period(self) -> timedelta:
        """The length of one shift."""
        return self.rotation if isinstance(self.rotation, timedelta) else _ROTATIONS[self.rotation]


class HoursConfig(_Strict):
    """The hours of those days a layer covers, in its zone. An end before the start crosses midnight:
    ``days`` name the day each stretch starts on (mon-fri 18:00-09:00 covers Friday night, not Sunday's)."""

    days: Annotated[tuple[int, ...], BeforeValidator(_days)] = (0, 1, 2, 3, 4, 5, 6)
    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _start_is_not_end(self) -> "HoursConfig":
        if self.start == self.end:
            raise _Located([(("end",), (
                f'"{self.end:%H:%M}" is also the start: say what you mean; leave hours out for all day, '
                'or give an end such as "18:00" (an end before the start crosses midnight)'))])
        return self


class LayerConfig(RotationConfig):
    """One layer of a schedule: a rotation in its own zone (``timezone`` when absent), over ``hours`` only."""

    name: Name
    zone: Zone | None = None
    hours: HoursConfig | None = None


class ScheduleConfig(RotationConfig):
    """Either one rotation (``rotation``, ``handoff``, ``members``) or ``layers``, a later one winning where it covers."""

    members: Annotated[list[Member], Field(min_length=1)] | None = None
    layers: Annotated[list[LayerConfig], Field(min_length=1)] | None = None
    channel: ChannelName | None = None  # told at each handoff, besides the incoming person's DM

    @model_validator(mode="after")
    def _one_form(self) -> "ScheduleConfig":
        if self.layers is None:
            if self.members is None:
                raise _Located([(("members",), "required key is missing; give members (Slack ids), or layers")])
            return self
        both = [key for key in ("rotation", "handoff", "members") if key in self.model_fields_set]
        if both:
            raise _Located([((key,), "a layered schedule takes it per layer; move it into each "
                                     "layer (each has its own rotation, handoff and members)") for key in both])
        seen: set[str] = set()
        problems = []
        for index, layer in enumerate(self.layers):
            if layer.name in seen:
                problems.append((("layers", index, "name"), f"{_show(layer.name)} names two layers; give each its own name"))
            seen.add(layer.name)
        if problems:
            raise _Located(problems)
        return self

    def as_layers(self) -> list[LayerConfig]:
        """The layers, first to last (a later one wins); a one-rotation schedule is one layer named ``rotation``."""
        if self.layers is not None:
            return self.layers
        return [LayerConfig(name="rotation", rotation=self.rotation, handoff=self.handoff, members=self.members)]


class TargetConfig(_Strict):
    schedule: str | None = None
    user: UserId | None = None
    usergroup: UsergroupId | None = None
    role: Literal["commander", "comms_lead"] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "TargetConfig":
        named = [key for key in ("schedule", "user", "usergroup") if getattr(self, key) is not None]
        if len(named) != 1:
            found = " and ".join(named) or "none"
            raise ValueError(f"a target needs exactly one of schedule, user, usergroup; found {found}")
        return self


class LevelConfig(_Strict):
    notify: Annotated[list[TargetConfig], Field(min_length=1)]
    escalate_after: Duration | None = None


class EscalationPolicyConfig(_Strict):
    renotify_every: Duration | None = None
    repeat: Annotated[int, Field(ge=0, strict=True)] = 0
    levels: Annotated[list[LevelConfig], Field(min_length=1)]

    @model_validator(mode="after")
    def _levels_move_on(self) -> "EscalationPolicyConfig":
        """A level without escalate_after would leave the levels after it unreachable."""
        needed = "required key is missing; every level but the last needs one, such as 15m"
        problems = [
            (("levels", index, "escalate_after"), needed)
            for index, level in enumerate(self.levels[:-1])
            if level.escalate_after is None
        ]
        if problems:
            raise _Located(problems)
        return self


class ServiceConfig(_Strict):
    escalation_policy: str = "default"
    runbook: Annotated[str, AfterValidator(_web_address)] | None = None
    description: str | None = None
    pagerduty_routing_key: str | None = None  # this service's PagerDuty integration, instead of PAGERDUTY_ROUTING_KEY


class HeartbeatConfig(_Strict):
    """A job that must check in (``POST /heartbeats/<name>``): silence past ``every + grace`` fires an alert."""

    every: Duration
    grace: Offset = timedelta(0)
    service: str | None = None  # its escalation policy pages; None: the default policy
    severity: str | None = None  # None: the default severity

    @property
    def deadline(self) -> timedelta:
        """How long after a check-in the next one is late."""
        return self.every + self.grace


class WatchdogConfig(HeartbeatConfig):
    """Alertmanager's always-firing alert, named by ``alertname``: a heartbeat of the monitoring itself."""

    alertname: Annotated[str, Field(min_length=1, max_length=200)] = "Watchdog"


WATCHDOG = "watchdog"
"""The heartbeat that Alertmanager's Watchdog alert checks in."""


class AlertsConfig(_Strict):
    page_delay: Duration = timedelta(minutes=2)
    group_window: Duration = timedelta(minutes=5)  # a firing alert joins its service's alert incident this young
    max_body_bytes: Annotated[int, Field(gt=0, strict=True)] = 1_048_576  # a longer webhook body is a 413, unread
    max_alerts_per_request: Annotated[int, Field(gt=0, strict=True)] = 1000  # more is a 413, nothing written
    watchdog: WatchdogConfig | None = None  # None: a Watchdog alert is an alert like any other


class OverridesConfig(_Strict):
    """On-call overrides taken with ``/incident oncall override``."""

    max_duration: Duration = timedelta(days=7)  # a longer absence is a change of the rotation in this file


def _time_off_length(value: timedelta) -> timedelta:
    if not timedelta(0) < value <= LONGEST_TIME_OFF:
        raise ValueError(f"{format_duration(value)} is not a length of time off; give one from 1d to 366d, "
                         "such as 60d (longer is a change of the rotation in this file)")
    return value


LONGEST_TIME_OFF = timedelta(days=366)
TimeOffLength = Annotated[Duration, AfterValidator(_time_off_length)]


class OncallConfig(_Strict):
    """Gaps and conflicts seen ahead: how far, what counts, and where they are said; the longest time off."""

    look_ahead: Duration = timedelta(days=14)  # checked daily and on every change of overrides or time off
    max_hours_in_a_row: Annotated[int, Field(gt=0, strict=True)] = 168  # longer without a break is a conflict
    gaps_channel: ChannelName | None = None  # else each schedule's channel, else the announce channel
    max_time_off: TimeOffLength = timedelta(days=60)  # the longest `/incident oncall away` at once


class RoleConfig(_Strict):
    """What the role does, DMed to whoever takes it."""

    checklist: Annotated[list[str], Field(min_length=1)]


def _default_roles() -> dict[str, RoleConfig]:
    return {
        "commander": RoleConfig(checklist=[
            "Lead the response: decide, delegate, and keep everyone on mitigation first.",
            "Keep the severity honest: raise it when unsure, downgrade it when it proves smaller.",
            "Move the status as you learn: `/incident status identified`, `mitigated`, `resolved`.",
            "Hand over with `/incident ic @user` before you step away.",
        ]),
        "comms_lead": RoleConfig(checklist=[
            "Post stakeholder updates on time with `/incident update <text>` or the *Post update* button.",
            "Answer status questions yourself, so nobody interrupts the people fixing.",
            "Say what users see, what is being done, and when the next update comes.",
            "Hand over with `/incident comms @user` before you step away.",
        ]),
    }


class StakeholderGroupConfig(_Strict):
    """People DMed every update and the resolution of incidents of these severities (all when absent)."""

    users: list[UserId] = []
    usergroups: list[UsergroupId] = []
    severities: list[str] | None = None


class RetroConfig(_Strict):
    """The weekly digest of the retro figures: where (no channel, no digest), and when in the configured
    zone; and in whose zone a page counts as out of hours: the paged ``person``'s own, when Slack knows
    it (else ``timezone``), or always the configured ``timezone``."""

    channel: ChannelName | None = None
    day: Annotated[int, BeforeValidator(_day)] = 0
    time: ClockTime = time(9, 30)
    out_of_hours_in: Literal["person", "timezone"] = "person"


class ReportsConfig(_Strict):
    """Incident reports, drafted from the record."""

    blameless: bool = False  # every person is named by their role in the incident, in every report


def _review_days(value: Any) -> Any:
    """Business days until the post-incident review is due, or ``optional`` (None): no review is required."""
    if value is None or value == "optional":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, str) and (days := re.fullmatch(r"(\d+)\s*(?:business\s+)?days?", value.strip())):
        raise ValueError(f"{_show(value)} is not a number of business days; use {int(days[1])}")
    raise ValueError(f"{_show(value)} is not a number of business days; use a whole number such as 3, or optional")


ReviewDays = Annotated[int | None, BeforeValidator(_review_days)]
DEFAULT_REVIEWS = {"sev1": 3, "sev2": 5}
class StatusComponentConfig(_Strict):
    """A part of the product as customers know it, and the services whose incidents affect it."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    services: list[str] = []


class StatusPageConfig(_Strict):
    """The public status page (``GET /status``): its title and components, in the order shown."""

    title: Annotated[str, Field(min_length=1, max_length=100)] = "Status"
    components: list[StatusComponentConfig] = []


PageMethod = Literal["slack", "push", "sms", "call", "email"]


class NotificationRuleConfig(_Strict):
    """One step of how a page reaches a person: ``via`` this way, ``after`` this long unacknowledged."""

    after: Offset
    via: PageMethod


def _default_rules() -> list[NotificationRuleConfig]:
    return [NotificationRuleConfig(after=timedelta(0), via="slack")]


NotificationRules = Annotated[list[NotificationRuleConfig], Field(min_length=1)]


class PersonConfig(_Strict):
    """What the file says of one person (their own ``/incident me`` settings come first)."""

    notification_rules: NotificationRules | None = None


def _default_severities() -> dict[str, SeverityConfig]:
    return {
        "sev1": SeverityConfig(label="Critical", update_every="20m", separate_comms_lead=True, page=True),
        "sev2": SeverityConfig(label="Major", update_every="30m", separate_comms_lead=True, page=True),
        "sev3": SeverityConfig(label="Minor", update_every="1h", page=False),
        "sev4": SeverityConfig(label="Low", update_every="4h", page=True, urgency="low"),
    }


class IncidentConfig(_Strict):
    """The whole file; every key is optional. Severities are ordered most severe first."""

    timezone: Zone = "UTC"
    business_hours: BusinessHoursConfig = Field(default_factory=BusinessHoursConfig)
    slack: SlackConfig = Field(default_factory=SlackConfig)
    default_severity: str = "sev3"
    severities: dict[Name, SeverityConfig] = Field(default_factory=_default_severities, min_length=1)
    schedules: dict[Name, ScheduleConfig] = {}
    escalation_policies: dict[Name, EscalationPolicyConfig] = {}
    services: dict[Name, ServiceConfig] = {}
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    overrides: OverridesConfig = Field(default_factory=OverridesConfig)
    oncall: OncallConfig = Field(default_factory=OncallConfig)
    roles: dict[Literal["commander", "comms_lead"], RoleConfig] = Field(default_factory=_default_roles)
    stakeholders: dict[Name, StakeholderGroupConfig] = {}
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    reviews: dict[Name, ReviewDays] | None = None  # None: DEFAULT_REVIEWS, for the severities that exist
    status_page: StatusPageConfig = Field(default_factory=StatusPageConfig)
    retro: RetroConfig | None = None  # None: no weekly digest (the figures are still there)
    notification_rules: NotificationRules = Field(default_factory=_default_rules)
    people: dict[UserId, PersonConfig] = {}
    send_rates: dict[Literal["push", "sms", "call", "email", "pagerduty"], Annotated[float, Field(gt=0)]] = {}
    heartbeats: dict[Name, HeartbeatConfig] = {}

    @model_validator(mode="after")
    def _references_exist(self) -> "IncidentConfig":
        """A name that points elsewhere in the file must be defined there."""
        problems = []

        def check(loc: tuple, found: str, kind: str, names: dict) -> None:
            if found not in names:
                expected = f"expected one of {', '.join(names)}" if names else f"no {kind} is configured"
                problems.append((loc, f"{_show(found)} is not a configured {kind}; {expected}"))

        check(("default_severity",), self.default_severity, "severity", self.severities)
        for name, policy in self.escalation_policies.items():
            for index, level in enumerate(policy.levels):
                for number, target in enumerate(level.notify):
                    if target.schedule is not None:
                        loc = ("escalation_policies", name, "levels", index, "notify", number, "schedule")
                        check(loc, target.schedule, "schedule", self.schedules)
        for name, service in self.services.items():
            # Without any policy paging is simply off, so the implicit "default" may be missing then.
            if self.escalation_policies or service.escalation_policy != "default":
                loc = ("services", name, "escalation_policy")
                check(loc, service.escalation_policy, "escalation policy", self.escalation_policies)
        for name, group in self.stakeholders.items():
            for index, severity in enumerate(group.severities or []):
                check(("stakeholders", name, "severities", index), severity, "severity", self.severities)
        for severity in self.reviews or {}:
            check(("reviews", severity), severity, "severity", self.severities)
        seen: set[str] = set()
        for index, component in enumerate(self.status_page.components):
            if component.name in seen:
                problems.append((("status_page", "components", index, "name"),
                                 f"{_show(component.name)} names two components; give each its own name"))
            seen.add(component.name)
            for number, service in enumerate(component.services):
                check(("status_page", "components", index, "services", number), service, "service", self.services)
        for loc, beat in self._heartbeats_in_file():
            if beat.service is not None:
                check((*loc, "service"), beat.service, "service", self.services)
            if beat.severity is not None:
                check((*loc, "severity"), beat.severity, "severity", self.severities)
        if self.alerts.watchdog is not None and WATCHDOG in self.heartbeats:
            problems.append((("heartbeats", WATCHDOG), f"{WATCHDOG!r} is the Watchdog's heartbeat (alerts.watchdog); "
                                                        "give this heartbeat another name"))
        if problems:
            raise _Located(problems)
        return self

    def _heartbeats_in_file(self) -> list[tuple[tuple, HeartbeatConfig]]:
        found: list[tuple[tuple, HeartbeatConfig]] = [(("heartbeats", name), beat)
                                                      for name, beat in self.heartbeats.items()]
        if self.alerts.watchdog is not None:
            found.append((("alerts", "watchdog"), self.alerts.watchdog))
        return found

    def heartbeat(self, name: str) -> HeartbeatConfig | None:
        """The heartbeat called ``name`` (the Watchdog's is ``watchdog``), or None."""
        if name == WATCHDOG and self.alerts.watchdog is not None:
            return self.alerts.watchdog
        return self.heartbeats.get(name)

    def heartbeat_names(self) -> list[str]:
        return [*self.heartbeats, *([WATCHDOG] if self.alerts.watchdog is not None else [])]

    def review_days(self, severity: str) -> int | None:
        """Business days from resolution until the review of a ``severity`` incident is due; None: optional."""
        return (DEFAULT_REVIEWS if self.reviews is None else self.reviews).get(severity.lower())

    def checklist(self, role: str) -> list[str]:
        """A role's checklist: the file's, else the built-in one."""
        return (self.roles.get(role) or _default_roles()[role]).checklist

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def severity_named(self, text: str, labels: bool = True) -> str | None:
        """The severity ``text`` names, by its name or its label in any case (``sev1``, ``Critical``); None
        if it names none. Every reader of a typed severity (commands, forms, alerts) goes through this.
        ``labels=False`` where a severity may be left out before free text (a declare's title may begin
        with any word: "Low disk on db1" is a title, not a sev4)."""
        wanted = text.strip().lower()
        for name, level in self.severities.items():
            if wanted == name or (labels and wanted == level.label.lower()):
                return name
        return None

    def severity(self, name: str) -> SeverityConfig:
        """The severity called name (or labelled so); a ValueError naming the choices, fit to show a user."""
        found = self.severity_named(name)
        if found is None:
            raise ValueError(f"{_show(name)} is not a severity; use one of {', '.join(self.severities)}")
        return self.severities[found]

    def severity_label(self, name: str) -> str:
        """``Critical`` for sev1; a severity since removed from the file shows as its name."""
        level = self.severities.get(name.lower())
        return level.label if level else name

    def severity_described(self, name: str) -> str:
        """``sev1 (Critical)``; a severity since removed from the file is its name alone."""
        label = self.severity_label(name)
        return name if label == name else f"{name} ({label})"

    def severity_names(self) -> list[str]:
        return list(self.severities)

    def downtime_severities(self) -> list[str]:
        """The severities whose incidents count against uptime (``counts_as_downtime``)."""
        return [name for rank, (name, level) in enumerate(self.severities.items())
                if (rank < 2 if level.counts_as_downtime is None else level.counts_as_downtime)]

    def rank(self, name: str) -> int:
        """0 for the most severe; a severity since removed from the file ranks after every configured one
        (``unranked``), so old incidents still list and sort."""
        names = self.severity_names()
        return names.index(name.lower()) if name.lower() in names else self.unranked

    @property
    def unranked(self) -> int:
        """The rank of a severity no longer in the file: less severe than any that is."""
        return len(self.severities)

    def is_downgrade(self, old: str, new: str) -> bool:
        return self.rank(new) > self.rank(old)

    def rules_for(self, user: str) -> list[NotificationRuleConfig]:
        """The file's notification rules for ``user``: theirs under ``people``, else everyone's."""
        person = self.people.get(user)
        return (person.notification_rules if person and person.notification_rules else None) or self.notification_rules

    def service_named(self, text: str) -> str | None:
        """The canonical (lowercase) name of the configured service ``text`` names in any case; None if it
        names none. Incidents, pages, alerts and maintenance windows store this name."""
        name = text.strip().lower()
        return name if name in self.services else None

    def service(self, name: str) -> ServiceConfig | None:
        found = self.service_named(name)
        return self.services[found] if found else None
