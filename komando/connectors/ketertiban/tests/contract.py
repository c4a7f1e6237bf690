"""What the connector contract (komando.sources.testing) needs to know about this connector."""

from komando.sources.testing import Contract

CONTRACT = Contract(slug="ketertiban")
