"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from models.alert import Alert
from models.base import Base
from models.communication import Delivery, Subscription
from models.incident import Incident, Role, RoleAssignment, Status, TimelineEvent
from models.oncall import HandoffNotice, Override
from models.paging import Page, PageNotification, PageState
from models.secret import StoredSecret
from models.status_page import PublicImpact, PublicIncident, PublicUpdate
from models.timer import Timer

__all__ = ["Alert", "Base", "Delivery", "HandoffNotice", "Incident", "Override", "Page", "PageNotification", "PageState", "Role",
           "PublicImpact", "PublicIncident", "PublicUpdate", "RoleAssignment", "Status", "StoredSecret", "Subscription",
           "TimelineEvent", "Timer"]
