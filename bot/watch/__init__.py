"""What the pager watches besides alerts: jobs that must check in, the monitoring's Watchdog, its own workers."""
