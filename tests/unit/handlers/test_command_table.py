"""One command table: every command has a listener, every listener a command, and the README says the same."""

from pathlib import Path

from bot.app import commands, features
from bot.slack.commands import COMMANDS, Where

README = Path(__file__).resolve().parents[3] / "README.md"
NOT_A_LISTENER = {"", "override"}  # the bare command opens the form; override is a form of oncall


class _Context:
    """Enough of an AppContext to build the features (each only keeps the services it is given)."""

    def __getattr__(self, name: str) -> "_Context":
        return _Context()


def test_every_command_has_a_listener_and_every_listener_a_command():
    listeners = set(commands(features(_Context())))
    assert listeners == {command.name for command in COMMANDS} - NOT_A_LISTENER


def readme_row(command) -> str:
    usage = command.typed.replace("|", "\\|")
    return f"| `{usage}` | {command.where} | {command.does} |"


def test_the_readme_lists_every_command_as_the_table_says():
    text = README.read_text()
    missing = [readme_row(command) for command in COMMANDS if readme_row(command) not in text]
    assert missing == [], "README.md's command table drifted from bot/slack/commands.py:\n" + "\n".join(missing)


def test_where_is_anywhere_or_the_incident_channel():
    assert {command.where for command in COMMANDS} == {Where.ANYWHERE, Where.CHANNEL}
