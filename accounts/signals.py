"""What accounts announce, for the apps above them to record without accounts importing them."""

from django.dispatch import Signal

# Sent inside the handover's transaction (accounts.invitations.focal_point_handover), with
# country, by (the user who made the change), before and after ({"focal_points": [emails]})
# and message. The questionnaire records it on the country's current submission.
focal_point_changed = Signal()
