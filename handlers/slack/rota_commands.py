"""``/incident oncall away|cover|gaps`` and the *Take it* button of a cover request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from slack_bolt import App

from bot.core.durations import format_duration
from bot.core.errors import UserError
from bot.paging.calendars import CalendarService
from bot.paging.cover import CoverService
from bot.paging.gaps import GapCheck
from bot.paging.oncall import OnCallService
from bot.paging.time_off import TimeOffService
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.ids import Action
from bot.slack.rota_notices import RotaNotices
from bot.slack.sync import channel_ref
from handlers.slack.actions import button
from handlers.slack.oncall_grammar import parse_numbered, parse_range_words, parse_schedule
from handlers.slack.replies import Answers


@dataclass(frozen=True)
class RotaListeners:
    oncall: OnCallService
    time_off: TimeOffService
    cover: CoverService
    gaps: GapCheck
    calendars: CalendarService
    public_url: str
    notices: RotaNotices | None
    answers: Answers | None

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"oncall_away": self.away, "oncall_cover": self.ask_cover, "oncall_gaps": self.list_gaps,
                "oncall_calendar": self.calendar}

    def calendar(self, command: dict, rest: str) -> Message:
        user = command["user_id"]
        base = self.public_url.rstrip("/")
        token = self.calendars.token_for(user)
        return blocks.rota.calendar_links(f"{base}/oncall/people/{user}.ics?token={quote(token)}",
                                          [(name, f"{base}/oncall/{name}.ics") for name in self.oncall.names()])

    def away(self, command: dict, rest: str) -> Message:
        user = command["user_id"]
        if rest.strip().lower() == "list":
            return blocks.rota.away_list(self.time_off.mine(user))
        if (number := parse_numbered(rest, "oncall_away")) is not None:
            cancelled = self.time_off.cancel(user, number)
            self._later("say_findings")
            return blocks.rota.away_cancelled(cancelled)
        asked = parse_range_words(rest, "oncall_away", schedule_allowed=False)
        added = self.time_off.add(user, asked.start, asked.end)
        self._later("away", user, added)
        return blocks.rota.away_added(added)

    def ask_cover(self, command: dict, rest: str) -> Message:
        user = command["user_id"]
        if (number := parse_numbered(rest, "oncall_cover")) is not None:
            cancelled = self.cover.cancel(user, number)
            self._later("cover_changed", cancelled)
            return blocks.rota.cover_cancelled(cancelled)
        asked = parse_range_words(rest, "oncall_cover", schedule_allowed=True)
        row = self.cover.ask(user, asked.start, asked.end, asked.schedule)
        self._later("post_cover", row)
        return blocks.rota.cover_asked(row, channel_ref(row.channel))

    def list_gaps(self, command: dict, rest: str) -> Message:
        schedule = parse_schedule(rest, "oncall_gaps")
        if schedule is not None:
            schedule = self.oncall.schedule_name(schedule, "oncall_gaps")
        look_ahead = format_duration(self.gaps.look_ahead)
        return blocks.rota.findings_message(self.gaps.findings(schedule), look_ahead)

    def take_cover(self, action: dict, user: str) -> Message:
        try:
            taken = self.cover.take(int(action["value"]), user)
        except UserError as error:
            return Message(text=f":no_entry: {blocks.error_text(error)}")
        self._later("cover_changed", taken)
        return blocks.rota.you_took_cover(taken)

    def register(self, app: App) -> None:
        app.action(Action.TAKE_COVER)(button(self.answers, self.take_cover))

    def _later(self, what: str, *args: object) -> None:
        if self.notices is not None and self.answers is not None:
            self.answers.later(getattr(self.notices, what), *args)


