"""Every Block Kit id the bot uses, named once: the renderer and the handlers share these."""

from enum import StrEnum


class Action(StrEnum):
    ACKNOWLEDGE = "incident_acknowledge"
    TAKE_COMMS = "incident_take_comms"
    RESOLVE = "incident_resolve"
    POST_UPDATE = "incident_post_update"
    SNOOZE = "incident_snooze"
    SUBSCRIBE = "incident_subscribe"
    EDIT_REPORT = "report_edit"
    ADD_ACTION = "report_add_action"
    ACTION_DONE = "report_action_done"
    REVIEW_HELD = "report_review_held"
    PUBLIC_UPDATE = "incident_public_update"
    TAKE_COVER = "oncall_take_cover"


class View(StrEnum):
    DECLARE = "incident_declare"
    UPDATE = "incident_update"
    REPORT = "report_edit"
    ACTION = "report_action"
    PUBLIC = "incident_public"


class DeclareField(StrEnum):
    """Block ids of the declare modal's inputs; each input's action id is the same string."""

    TITLE = "declare_title"
    SEVERITY = "declare_severity"
    SERVICE = "declare_service"
    DESCRIPTION = "declare_description"
    COMMANDER = "declare_commander"
    PUBLIC = "declare_public"


class UpdateField(StrEnum):
    """Block ids of the update modal's inputs; each input's action id is the same string."""

    STATUS = "update_status"
    TEXT = "update_text"
    NEXT = "update_next"


class ReportField(StrEnum):
    """Block ids of the report form's inputs (``report_`` and the report's field); action id the same."""

    IMPACT = "report_impact"
    ROOT_CAUSE = "report_root_cause"
    RESOLUTION = "report_resolution"
    WENT_WELL = "report_went_well"
    WENT_BADLY = "report_went_badly"
    LUCKY = "report_lucky"
    BLAMELESS = "report_blameless"


class ActionField(StrEnum):
    """Block ids of the action item form's inputs; each input's action id is the same string."""

    TEXT = "action_text"
    OWNER = "action_owner"
    PRIORITY = "action_priority"
    TYPE = "action_type"
    DUE = "action_due"
    TRACKER_URL = "action_tracker_url"
class PublicField(StrEnum):
    """Block ids of the public update modal's inputs; each component's state is ``COMPONENT`` + its index."""

    TITLE = "public_title"
    STATUS = "public_status"
    TEXT = "public_text"
    COMPONENT = "public_component_"
