"""Load (or reload) the practice library from a YAML file: all or nothing, safe to run again."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integratingcities.practices import search
from integratingcities.practices.services import PracticeLoadError, practices_load_path


class Command(BaseCommand):
    help = "Load practices from a YAML file (default: content/practices.yaml)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(Path(settings.BASE_DIR) / "content" / "practices.yaml")
        )
        parser.add_argument(
            "--reindex", action="store_true", help="also rebuild the full-text index of all"
        )

    def handle(self, *args: Any, path: str, reindex: bool, **options: Any) -> None:
        try:
            count = practices_load_path(Path(path))
        except (PracticeLoadError, OSError) as error:
            raise CommandError(str(error)) from error
        if reindex:
            search.index_all()
        self.stdout.write(f"Loaded {count} practices from {path}.")
