"""Daily situation report for the mayor: page and PDF, on demand and on a schedule."""
