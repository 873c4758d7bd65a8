"""Paging people: a page's levels, renotifies and steps (push, SMS, calls, e-mail), the PagerDuty
bridge, ``/incident me`` (a person's ways to be paged), and acknowledging from outside Slack."""

from __future__ import annotations

from bot.channels import Channels
from bot.config import Settings
from bot.core.clock import Clock
from bot.features import Feature
from bot.incidents.service import IncidentService
from bot.paging.ack_links import AckLinks
from bot.paging.bridge import PAGERDUTY_EVENT, PagerDutyBridge
from bot.paging.contacts import ContactService
from bot.paging.service import PAGE_LEVEL, PAGE_RENOTIFY, PagingService
from bot.paging.steps import PAGE_STEP, NotificationSteps
from bot.web.app import Web
from handlers.http import paging as routes
from handlers.slack.contact_commands import ContactListeners
from handlers.slack.replies import Answers


def feature(paging: PagingService, steps: NotificationSteps, pagerduty: PagerDutyBridge, contacts: ContactService,
            channels: Channels, ack_links: AckLinks, incidents: IncidentService, clock: Clock, settings: Settings,
            answers: Answers | None) -> Feature:
    def http(web: Web):
        return routes.routes(web.pages, ack_links, incidents, steps, clock, channels.twilio, settings.public_url,
                             settings.pagerduty_webhook_secret)

    return Feature(
        "paging",
        commands=ContactListeners(contacts, steps, channels, answers).listeners(),
        timers={PAGE_LEVEL: paging.fire_level, PAGE_RENOTIFY: paging.fire_renotify, PAGE_STEP: steps.fire,
                PAGERDUTY_EVENT: pagerduty.fire},
        routes=http,
    )
