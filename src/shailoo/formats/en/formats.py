"""English: 121,089 and 52.3; dates spelt out (14 March 2027) or in ISO 8601 (2027-03-14).

A Kyrgyz election read in English is read worldwide: "03/14/2027" would be misread outside
the United States, so short dates are ISO 8601 and long ones name the month. Times stay
24-hour, as the law and the commission state them.
"""

THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
NUMBER_GROUPING = 3

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Kyrgyzstan
