"""Import templates: ``base`` (what a template is), one module per template (``revenue``), and
``registry`` (which templates there are, by slug)."""
