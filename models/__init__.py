"""ORM models. Importing this package registers every table on ``Base.metadata``."""

from models.base import Base
from models.incident import Incident, Role, RoleAssignment, Status, TimelineEvent

__all__ = ["Base", "Incident", "Role", "RoleAssignment", "Status", "TimelineEvent"]
