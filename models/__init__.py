"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from models.alert import Alert, AlertGroup
from models.base import Base
from models.communication import Delivery, Subscription
from models.contact import ContactMethod, DeliveryState, NotificationRules, PageDelivery, UsedAckLink
from models.incident import Incident, Role, RoleAssignment, Status, TimelineEvent
from models.oncall import CalendarToken, CoverRequest, FindingNotice, HandoffNotice, MemberEntry, Override, TimeOff
from models.paging import Page, PageNotification, PageState
from models.person import Person
from models.problem import AppProblem
from models.replay import SlackTrigger
from models.report import ActionItem, ActionType, Priority, Report
from models.secret import StoredSecret
from models.status_page import PublicImpact, PublicIncident, PublicUpdate
from models.timer import Timer

__all__ = [
    "ActionItem",
    "ActionType",
    "Alert",
    "AlertGroup",
    "AppProblem",
    "Base",
    "CalendarToken",
    "ContactMethod",
    "CoverRequest",
    "Delivery",
    "DeliveryState",
    "FindingNotice",
    "HandoffNotice",
    "Incident",
    "MemberEntry",
    "NotificationRules",
    "Override",
    "Page",
    "PageDelivery",
    "PageNotification",
    "PageState",
    "Person",
    "Priority",
    "PublicImpact",
    "PublicIncident",
    "PublicUpdate",
    "Report",
    "Role",
    "RoleAssignment",
    "Status",
    "StoredSecret",
    "SlackTrigger",
    "Subscription",
    "TimeOff",
    "TimelineEvent",
    "Timer",
    "UsedAckLink",
]
