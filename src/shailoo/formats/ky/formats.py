"""Kyrgyz: 121 089 and 52,3 (CLDR ``ky``), dates as 14.03.2027."""

# A no-break space keeps "121 089" on one line; CLDR's Kyrgyz group separator is U+00A0.
THOUSAND_SEPARATOR = "\xa0"
DECIMAL_SEPARATOR = ","
NUMBER_GROUPING = 3

DATE_FORMAT = "d.m.Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
