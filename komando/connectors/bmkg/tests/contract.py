"""What the connector contract (komando.sources.testing) needs to know about this connector."""

from komando.sources.faults import numeric_strings_as_numbers
from komando.sources.testing import Contract

# BMKG sends every value as text (its real format): wrong types are numbers where text belongs.
CONTRACT = Contract(
    slug="bmkg",
    rewrite_wrong_types=numeric_strings_as_numbers,
    not_applicable={
        "unknown_region": "BMKG places quakes and warnings by coordinates and province names, never by "
        "Kemendagri codes: there is no region code to be unknown",
    },
)
