"""The ZIP of the PDFs: every rendered PDF, with manifest.csv (country, version, SHA-256)."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from questionnaire.exports.reading import CHUNK_SIZE, Exporter
from questionnaire.exports.sheets import Row
from questionnaire.pdf.services import pdf_read_verified, pdf_render_queue


class PdfZipExporter(Exporter):
    """Every rendered PDF in one ZIP, with manifest.csv (country, version, SHA-256)."""

    identifier = "pdf_zip"
    verbose_name = _("ZIP of the PDFs, with a manifest")
    extension = "zip"
    content_type = "application/zip"
    MANIFEST_HEADER: ClassVar[Row] = [
        "country_iso3",
        "country",
        "status",
        "pdf_version",
        "file",
        "sha256",
        "note",
    ]

    def write(self, *, submissions, out, progress=None):
        queryset = submissions.select_related("country").order_by("country__name", "id")
        manifest = io.StringIO()
        writer = csv.writer(manifest)
        writer.writerow(self.MANIFEST_HEADER)
        # PDFs are compressed already: storing them is as small and much faster.
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, submission in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
                country = submission.country
                row = [country.iso3, country.name, submission.status, submission.pdf_version]
                if not submission.pdf:
                    writer.writerow([*row, "", "", "no PDF rendered yet"])
                else:
                    name = f"pdf/{country.iso3}-{self.edition.code}-v{submission.pdf_version}.pdf"
                    content = pdf_read_verified(submission=submission)
                    if content is None:
                        # Gone or not what was rendered: left out, never shipped wrong.
                        pdf_render_queue(submission=submission)
                        writer.writerow(
                            [
                                *row,
                                "",
                                "",
                                "PDF being repaired: file missing or not matching "
                                "its SHA-256; a new rendering is queued",
                            ]
                        )
                    else:
                        archive.writestr(name, content)
                        writer.writerow([*row, name, submission.pdf_sha256, ""])
                if progress:
                    progress(done)
            archive.writestr("manifest.csv", manifest.getvalue().encode("utf-8-sig"))
