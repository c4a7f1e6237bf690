"""The registry of import templates: the templates Komando ships with, listed here, and ``register``
for one more (a test's, or a city's own).

A template module only defines its class; this module imports it and registers it, so the template
modules never import the registry back. A new template is one more module in this package and one
more line in ``SHIPPED_TEMPLATES``.
"""

from komando.imports.formats.base import ImportTemplate
from komando.imports.formats.revenue import RevenueRealisationTemplate

SHIPPED_TEMPLATES: list[type[ImportTemplate]] = [RevenueRealisationTemplate]

TEMPLATES: dict[str, ImportTemplate] = {}


def register(template_class: type[ImportTemplate]) -> type[ImportTemplate]:
    template = template_class()
    if template.slug in TEMPLATES:
        raise ValueError(f"import template {template.slug!r} registered twice")
    TEMPLATES[template.slug] = template
    return template_class


def get_template(slug: str) -> ImportTemplate:
    try:
        return TEMPLATES[slug]
    except KeyError:
        raise LookupError(f"no import template named {slug!r}") from None


def all_templates() -> list[ImportTemplate]:
    return sorted(TEMPLATES.values(), key=lambda template: str(template.title))


for _template_class in SHIPPED_TEMPLATES:
    register(_template_class)
