# Django's Chinese format has no digit grouping; the page we reproduce writes 19,199.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
