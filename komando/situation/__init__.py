"""Situation room: crisis sessions, the append-only decision log, action items, minutes."""
