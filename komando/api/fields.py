"""Serializer fields shared by the API's schemas."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from komando.core.privacy import SUPPRESSED


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": [SUPPRESSED]}],
        "description": f'A count of people. Anonymous callers see 1–4 as "{SUPPRESSED}" (small-cell suppression, '
        "UU PDP 27/2022); signed-in staff see the exact number.",
    }
)
class PublicCountField(serializers.Field):
    """A count of people: an integer, or "<5" for the public when it is 1–4."""

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        return data
