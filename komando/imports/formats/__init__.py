"""The registry of import templates. A new template is one more module here, imported below."""

from komando.imports.formats.base import ImportTemplate

TEMPLATES: dict[str, ImportTemplate] = {}


def register(template_class):
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


from komando.imports.formats import revenue  # noqa: E402,F401  (registers itself)
