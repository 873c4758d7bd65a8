"""The weekly retro's figures: the page log, per-week timings and pages per person, uptime; exports and charts."""
