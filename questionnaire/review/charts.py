"""The staff pages' bar charts, drawn by the server as SVG: their geometry, in one place.

In SVG user units; the chart scales to its box. Used by the dashboard
(review.views) and the question across countries (review.question_views).
"""

CHART_LABEL_WIDTH = 260
CHART_BAR_WIDTH = 520
CHART_ROW_HEIGHT = 26
CHART_BAR_HEIGHT = 18
