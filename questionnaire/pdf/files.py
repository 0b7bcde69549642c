"""What every stored PDF shares: the outcome of a render, the lease length, reading and deleting.

Used by the submitted PDF (questionnaire.pdf.services) and the PDFs rendered on
demand (questionnaire.pdf.on_demand: draft previews and language copies).
"""

from __future__ import annotations

import hashlib
import logging
from enum import StrEnum

from django.conf import settings
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


class PdfOutcome(StrEnum):
    RENDERED = "rendered"
    UNCHANGED = "unchanged"  # that version's PDF is already stored: nothing done
    STALE = "stale"  # the version is no longer the submitted one, or its answers changed
    FAILED = "failed"  # recorded in pdf_error and a PDF_FAILED event
    MISSING = "missing"  # no such submission (deleted since it was queued)


def lease_seconds() -> int:
    """How long a queued render of one (submission, version) keeps others from queueing it
    again (MSQ_PDF_LEASE_SECONDS: by default past the task's hard time limit)."""
    return settings.MSQ_PDF_LEASE_SECONDS


def stored_bytes(name: str) -> bytes | None:
    """The file's bytes, or None if there is no such file.

    A storage that does not answer (a disk error, a bucket that is down) raises one of
    msq_portal.storage.STORAGE_ERRORS: the file is not known to be lost, so callers must
    not take it for a file to repair. Tasks retry it; a download answers 503 "try again".
    """
    try:
        with default_storage.open(name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def file_has(name: str, sha256: str) -> bool:
    """Whether the file `name` exists and its content has this SHA-256."""
    content = stored_bytes(name)
    return content is not None and hashlib.sha256(content).hexdigest() == sha256


def delete_quietly(name: str) -> None:
    """Delete a file no row points to; a failure only leaves an unreferenced file behind."""
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Could not delete the superseded PDF %s", name, exc_info=True)
