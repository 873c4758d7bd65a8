"""Every Slack message and view the bot sends, rendered from the database rows: one module per surface.

Re-render, don't patch: the summary and the announcement are rebuilt from the incident on
every change and sent with ``chat.update``. Block Kit comes from slack-sdk's models; nothing
outside this package builds Slack JSON.
"""

from bot.slack.blocks import replies, rota
from bot.slack.blocks.common import Message, Rendering, said, slack_date
from bot.slack.blocks.contacts import (
    contact_saved,
    contact_test_message,
    contacts_message,
    rules_saved,
    testing_contacts,
)
from bot.slack.blocks.deliveries import delivery_message
from bot.slack.blocks.incidents import (
    checking_people,
    declared_message,
    drill_declared_message,
    drill_refused_message,
    error_text,
    help_message,
    help_text,
    incident_list_message,
    setup_failed_message,
    user_error_message,
)
from bot.slack.blocks.modals import declare_modal, public_modal, update_modal
from bot.slack.blocks.oncall import (
    cannot_take_shifts,
    checking_person,
    handoff_messages,
    oncall_message,
    override_message,
    shift_taken_message,
)
from bot.slack.blocks.paging import page_message
from bot.slack.blocks.summary import announcement_message, channel_topic, summary_message
from bot.slack.blocks.timeline import event_message, timeline_message

__all__ = [
    "setup_failed_message",
    "cannot_take_shifts",
    "checking_person",
    "shift_taken_message",
    "replies",
    "rota",
    "Message",
    "Rendering",
    "announcement_message",
    "channel_topic",
    "contact_saved",
    "contact_test_message",
    "contacts_message",
    "rules_saved",
    "testing_contacts",
    "declare_modal",
    "declared_message",
    "checking_people",
    "drill_declared_message",
    "drill_refused_message",
    "delivery_message",
    "event_message",
    "handoff_messages",
    "help_message",
    "help_text",
    "incident_list_message",
    "oncall_message",
    "override_message",
    "page_message",
    "public_modal",
    "said",
    "slack_date",
    "summary_message",
    "timeline_message",
    "update_modal",
    "error_text",
    "user_error_message",
]
