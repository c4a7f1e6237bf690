"""Process entry points and the composition root: web, workers, ingest, demo (the top layer)."""
