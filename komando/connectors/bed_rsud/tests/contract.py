"""What the connector contract (komando.sources.testing) needs to know about this connector."""

from komando.sources.testing import Contract

# The bed service always sends every ward's latest report; the cursor filters them on our side.
CONTRACT = Contract(slug="bed-rsud", cursor_in_query=False)
