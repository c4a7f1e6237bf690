"""See the helper brief; owned by one connector."""
