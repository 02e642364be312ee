"""On PostgreSQL, a trigram index on members' names so that "name contains" searches over a
province stay fast (pg_trgm is a trusted extension: no superuser needed). Nothing on SQLite."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_name_trgm ON members_member USING gin (name gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS member_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
