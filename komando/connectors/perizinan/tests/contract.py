"""What the connector contract (komando.sources.testing) needs to know about this connector."""

from komando.sources.testing import Contract

CONTRACT = Contract(slug="perizinan", cursor_in_query=True)  # asks diperbarui_sejak=<cursor>
