"""Database-level guard of the append-only record: UPDATE and DELETE on the situation room's tables
are refused by triggers (SQLite and PostgreSQL), whatever client writes (raw SQL, another program).
TRUNCATE is left alone on PostgreSQL: it is how a test run's flush empties every table at once."""

from django.db import migrations

TABLES = ["situation_session", "situation_sessionclosure", "situation_attendee", "situation_incidentlink",
          "situation_decision", "situation_actionitem", "situation_actionitemupdate", "situation_timelineentry"]
MESSAGE = "situation room record is append-only"


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION situation_refuse_change() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql")
            for table in TABLES:
                cursor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                               "FOR EACH ROW EXECUTE FUNCTION situation_refuse_change()")
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for operation in ("UPDATE", "DELETE"):
                    cursor.execute(f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} on {table}'); END")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            elif connection.vendor == "sqlite":
                for operation in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS situation_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("situation", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
