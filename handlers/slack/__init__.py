"""Bolt listeners: parse and validate what Slack sends, call the domain, ack with the answer."""
