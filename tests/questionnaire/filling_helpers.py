"""Building what a section page posts, the way a browser would, for the filling tests."""

from questionnaire.filling.forms import SectionForm
from questionnaire.models import Section, Submission


def links_data(prefix: str, rows: list[dict], *, deleted: tuple[int, ...] = ()) -> dict:
    """The fields of one links formset: management form plus name / URL / note rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        for field in ("name", "url", "note"):
            data[f"{prefix}-{index}-{field}"] = row.get(field, "")
        data[f"{prefix}-{index}-DELETE"] = "on" if index in deleted else ""
    return data


def section_data(
    section: Section, *, submission: Submission | None, overrides: dict | None = None, **extra
) -> dict:
    """Everything the section's page posts for its current stored values, with `overrides`."""
    if submission is not None:
        submission.refresh_from_db()
    values = dict(submission.answers.values_list("question__code", "value")) if submission else {}
    form = SectionForm(questions=list(section.questions.order_by("order")), values=values)
    data: dict = {
        "base_version": str(submission.version if submission else 1),
        "action": "save",
    }
    for question in form.questions:
        for part in question.parts:
            if part.is_formset:
                management = part.form.management_form
                for name in management.fields:
                    data[management[name].html_name] = str(management[name].value())
                for row in part.form.forms:
                    for name in row.fields:
                        value = row[name].value()
                        data[row[name].html_name] = "" if value in (None, False) else value
            else:
                for name in part.form.fields:
                    value = part.form[name].value()
                    if value not in (None, "", []):
                        data[part.form[name].html_name] = value
    data.update(overrides or {})
    data.update(extra)
    return data
