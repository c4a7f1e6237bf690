"""What the connector contract (komando.sources.testing) needs to know about this connector."""

from komando.sources.testing import Contract

CONTRACT = Contract(
    slug="kinerja-asn",
    not_applicable={
        "unknown_region": "Kinerja ASN reports per OPD (agency codes, checked by the attendance action); "
        "its answers carry no region codes",
    },
)
