"""The internal web console's questions to the database, answered as plain values (no HTTP, no HTML)."""
