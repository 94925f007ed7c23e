"""Full-text search: an FTS5 table on SQLite, a GIN index on the tsvector column on PostgreSQL.

Both stem words with the Porter algorithm and keep every word (no stop words), so that both find
the same practices: SQLite's ``porter unicode61`` tokenizer, and on PostgreSQL a text search
configuration ``practices`` whose words go through Snowball's "porter" stemmer.

The index is filled by ``integratingcities.practices.search`` (the service layer calls it after
every write); a trigger removes a practice's FTS5 row when the practice is deleted.
"""

from django.db import migrations

SQLITE_CREATE = [
    # Porter stemming; diacritics kept, as PostgreSQL's "english" configuration keeps them.
    "CREATE VIRTUAL TABLE practices_practice_fts USING fts5("
    "title, places, body, tokenize = 'porter unicode61 remove_diacritics 0')",
    # Title weighs most, then the cities, then the text (PostgreSQL: weights A, B, C).
    "INSERT INTO practices_practice_fts(practices_practice_fts, rank) "
    "VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')",
    "CREATE TRIGGER practices_practice_fts_delete AFTER DELETE ON practices_practice "
    "BEGIN DELETE FROM practices_practice_fts WHERE rowid = old.id; END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS practices_practice_fts_delete",
    "DROP TABLE IF EXISTS practices_practice_fts",
]
POSTGRESQL_CREATE = [
    "CREATE TEXT SEARCH DICTIONARY practices_porter (TEMPLATE = snowball, LANGUAGE = porter)",
    "CREATE TEXT SEARCH CONFIGURATION practices (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION practices ALTER MAPPING FOR asciiword, word, numword, "
    "asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart "
    "WITH practices_porter",
    "CREATE INDEX practices_practice_search_gin ON practices_practice USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS practices_practice_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS practices",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS practices_porter",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
