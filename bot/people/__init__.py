"""The people directory: names, display names, time zones and avatars of the people the bot shows."""

from bot.people.directory import Known, PeopleDirectory, Reader

__all__ = ["Known", "PeopleDirectory", "Reader"]
