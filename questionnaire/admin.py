"""Django's admin discovers this module; the reviewers' admin lives with the review."""

from questionnaire.review import admin  # noqa: F401
