# English dates as UN documents write them ("30 November 2026"), 24-hour times; the other
# five languages use Django's own formats for their locale (settings.FORMAT_MODULE_PATH).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
