"""The public status page: component states, public incidents and their updates (no Slack, no HTTP)."""
