"""The review console: DPIDG reviewers' pages in the Django admin.

Everything here is read-only but an edition's calendar (opens on, deadline, open
or closed): answers come from countries and questionnaire content from edition
files. Reviewers act on a submission only through the review services (return,
accept, reopen, comment), each of which records an event with its author, and
export through the exporters' registry.

- base: who is a reviewer, the read-only base admin, editions/sections/questions;
- submission: the submissions list (progress, counts, exports of selected rows);
- decisions: a submission's review page and the return/accept/reopen/re-render views;
- history: a submission's history in words (the admin's history view);
- records: answers, events, comments and export jobs, read-only.
"""

from questionnaire.review.admin import records, submission  # noqa: F401  (registers them)
from questionnaire.review.admin.base import ReviewerReadOnlyAdmin, reviewer

__all__ = ["ReviewerReadOnlyAdmin", "reviewer"]
