"""Compile the interface catalogues (locale/*/LC_MESSAGES/*.po) into the .mo files Django reads.

Pure Python (polib), so that `make install`, the Dockerfile and CI produce every
language on a machine without GNU gettext. Fuzzy and untranslated entries are left
out, as msgfmt does: such a string shows in English rather than in a guessed wording.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def translations_compile(*, locale_paths: list[Path] | None = None) -> list[Path]:
    """Write each catalogue's .mo next to its .po when missing or older. Returns the
    .mo files written."""
    written = []
    for locale_path in locale_paths or [Path(p) for p in settings.LOCALE_PATHS]:
        for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (no GNU gettext needed)."

    def handle(self, *args, **options):
        written = translations_compile()
        self.stdout.write(f"{len(written)} catalogue(s) compiled.")
