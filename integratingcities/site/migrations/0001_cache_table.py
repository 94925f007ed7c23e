"""The table of Django's database cache (settings.CACHES), made by ``migrate`` everywhere.

``createcachetable`` makes the table of every database cache in the settings, and ``ic_cache``
whatever the settings say: the tests run on a memory cache, and their end-to-end test of the
database cache needs the table. A table already there is left as it is.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "ic_cache"


def create(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    alias = schema_editor.connection.alias
    call_command("createcachetable", database=alias, verbosity=0)
    call_command("createcachetable", TABLE, database=alias, verbosity=0)


def drop(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create, drop)]
