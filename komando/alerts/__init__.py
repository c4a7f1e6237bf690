"""Alerts: rules over live data, episodes, acknowledgement, notifications, our CAP 1.2 feed."""
