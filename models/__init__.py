"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from models.alert import Alert
from models.base import Base
from models.communication import Delivery, Subscription
from models.incident import Incident, Role, RoleAssignment, Status, TimelineEvent
from models.oncall import HandoffNotice, Override
from models.paging import Page, PageNotification, PageState
from models.report import ActionItem, ActionType, Priority, Report
from models.timer import Timer

__all__ = ["Alert", "Base", "Delivery", "HandoffNotice", "Incident", "Override", "Page", "PageNotification", "PageState", "Role",
           "RoleAssignment", "Status", "Subscription", "TimelineEvent", "Timer",
           "ActionItem", "ActionType", "Priority", "Report"]
