"""A declare's ack waits for its transaction: one INSERT per table (on PostgreSQL all in one statement),
nothing read back, and the rows are the same as any other change's (revision 1, told once after the commit, announced on PostgreSQL)."""

import threading

from sqlalchemy import event

from bot.incidents.service import Declaration
from models import Role
from models.timer import Timer
from tests.integration.helpers import incident


def test_a_declare_writes_each_table_once_and_reads_nothing(bot):
    statements: list[str] = []
    declaring = threading.get_ident()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() == declaring:  # the Slack side's threads start on the commit
            statements.append(" ".join(statement.split()))

    event.listen(bot.ctx.engine, "before_cursor_execute", record)
    told: list[int] = []
    bot.ctx.status.watch(lambda: told.append(1))
    try:
        declared = bot.ctx.incidents.declare(Declaration(title="Checkout is down", severity="sev1",
                                                         declared_by="U01ALICE", reply_to="https://hooks.example/1"))
    finally:
        event.remove(bot.ctx.engine, "before_cursor_execute", record)

    if bot.ctx.engine.dialect.name == "postgresql":  # the id from the sequence, then one statement for all
        assert [s for s in statements if not s.startswith("BEGIN")] == [statements[-2], statements[-1]]
        assert statements[-2].startswith("SELECT nextval(pg_get_serial_sequence(")
        written = statements[-1]
        assert [table for table in ("incidents", "role_assignments", "timeline_events", "timers")
                if f"INSERT INTO {table} " in written] == ["incidents", "role_assignments", "timeline_events", "timers"]
        assert "RETURNING pg_notify(" in written and written.count("INSERT INTO") == 4
    else:
        writes = [s.split(" (")[0] for s in statements if not s.startswith("BEGIN")]
        assert writes == ["INSERT INTO incidents", "INSERT INTO role_assignments", "INSERT INTO timeline_events",
                          "INSERT INTO timers"]
    assert told == [1]  # the page cache heard of it once, after the commit

    # What the ack renders from is what was written, every default included.
    row = incident(bot, declared.id)
    assert declared.number == row.number == "INC-1"
    assert (declared.revision, declared.synced_revision, declared.invited_users) == (row.revision, row.synced_revision, []) == (1, 0, [])
    assert declared.update_due_at == row.update_due_at is not None
    assert [(r.role, r.user_id) for r in row.roles] == [(Role.COMMANDER, "U01ALICE")]  # sev1: a separate comms lead
    assert [e.kind for e in row.events] == [e.kind for e in declared.events] == ["declared", "role_assigned"]
    with bot.ctx.sessions() as session:
        kinds = sorted(t.kind for t in session.query(Timer).filter_by(incident_id=row.id))
    assert kinds == ["comms_ask", "nag"]
