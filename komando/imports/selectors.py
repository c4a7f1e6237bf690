from komando.imports.formats import all_templates
from komando.imports.models import ImportBatch


def template_choices() -> list[tuple[str, str]]:
    return [(template.slug, str(template.title)) for template in all_templates()]


def recent_batches(limit: int = 10):
    return ImportBatch.objects.select_related("source", "uploaded_by")[:limit]
