"""Make every page kept for anonymous visitors stale (lib/page_cache.py), without the admin:
after a change made outside the platform (SQL by hand, a restored backup)."""

from typing import Any

from django.core.management.base import BaseCommand

from integratingcities.lib.page_cache import bump


class Command(BaseCommand):
    help = "Start a new page-cache generation: no public page kept so far is served again."

    def handle(self, *args: Any, **options: Any) -> None:
        bump()
        self.stdout.write("Public pages will be rendered afresh.")
