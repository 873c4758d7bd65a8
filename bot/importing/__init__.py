"""``python -m bot import``: schedules, escalation policies and services from PagerDuty, Opsgenie or Grafana OnCall.

``source`` holds what a reader found, ``mapping`` turns it into our configuration, ``compare`` checks
14 days of on-call against the source, ``cli`` is the command.
"""
