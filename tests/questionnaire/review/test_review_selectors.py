"""Reads for the review console: the response rates of the staff dashboard."""

from collections import Counter
from decimal import Decimal

import pytest

from questionnaire.models import Submission
from questionnaire.review.selectors import NOT_STARTED, RateRow, response_rates
from tests.factories import submission_full

Status = Submission.Status


def _row(*, answered: int, total: int) -> RateRow:
    return RateRow(
        label="",
        level="world",
        counts=Counter({Status.SUBMITTED: answered, NOT_STARTED: total - answered}),
    )


@pytest.mark.parametrize(
    ("answered", "total", "shown"),
    [
        (0, 193, "0"),
        (1, 193, "0.5"),  # whole numbers said 0 % here
        (19, 193, "9.8"),
        (20, 193, "10"),  # 10.36: whole numbers from 10 % on
        (192, 193, "99"),  # 99.48: never rounded up to 100 % before the last country
        (193, 193, "100"),
        (0, 0, "0"),  # a region without countries
    ],
)
def test_rate_row_answered_percent_one_decimal_below_ten(answered, total, shown):
    assert str(_row(answered=answered, total=total).answered_percent) == shown


def test_rate_row_answered_percent_counts_accepted_with_submitted():
    row = RateRow(
        label="",
        level="world",
        counts=Counter(
            {Status.SUBMITTED: 1, Status.ACCEPTED: 1, Status.RETURNED: 1, NOT_STARTED: 7}
        ),
    )

    assert row.answered_percent == Decimal(20)


def test_response_rates_one_country_submitted_is_not_zero_percent(edition, country_a):
    submission_full(edition=edition, country=country_a)

    world = response_rates(edition=edition)[0]

    assert (world.level, world.total, world.answered) == ("world", 193, 1)
    assert world.answered_percent == Decimal("0.5")
