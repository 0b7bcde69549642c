"""The export formats officials and the API can choose, by identifier."""

from __future__ import annotations

from questionnaire.exports.cross_edition import CrossEditionCsvExporter
from questionnaire.exports.json_nested import JsonExporter
from questionnaire.exports.pdf_zip import PdfZipExporter
from questionnaire.exports.reading import Exporter
from questionnaire.exports.spss_sav import SpssSavExporter
from questionnaire.exports.stata_dta import StataDtaExporter
from questionnaire.exports.tidy_csv import TidyCsvExporter
from questionnaire.exports.wide_xlsx import WideXlsxExporter

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (
        TidyCsvExporter,
        WideXlsxExporter,
        StataDtaExporter,
        SpssSavExporter,
        JsonExporter,
        PdfZipExporter,
        CrossEditionCsvExporter,
    )
}


def exporter_choices() -> list[tuple[str, str]]:
    return [(identifier, exporter.verbose_name) for identifier, exporter in EXPORTERS.items()]
