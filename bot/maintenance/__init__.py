"""Maintenance windows: planned work during which a service's alerts are held, not paged."""
