"""Every Block Kit id the bot uses, named once: the renderer and the handlers share these."""

from enum import StrEnum


class Action(StrEnum):
    ACKNOWLEDGE = "incident_acknowledge"
    TAKE_COMMS = "incident_take_comms"
    RESOLVE = "incident_resolve"
    POST_UPDATE = "incident_post_update"
    SNOOZE = "incident_snooze"
    SUBSCRIBE = "incident_subscribe"


class View(StrEnum):
    DECLARE = "incident_declare"
    UPDATE = "incident_update"


class DeclareField(StrEnum):
    """Block ids of the declare modal's inputs; each input's action id is the same string."""

    TITLE = "declare_title"
    SEVERITY = "declare_severity"
    SERVICE = "declare_service"
    DESCRIPTION = "declare_description"
    COMMANDER = "declare_commander"


class UpdateField(StrEnum):
    """Block ids of the update modal's inputs; each input's action id is the same string."""

    STATUS = "update_status"
    TEXT = "update_text"
    NEXT = "update_next"
