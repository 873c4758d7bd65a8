"""Adapters from the outside in: Slack listeners (slack/) and HTTP routes (http/)."""
