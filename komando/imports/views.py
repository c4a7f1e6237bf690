"""The file import page: parse the form, check the user, call the action, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from komando.imports.access import can_import_files
from komando.imports.actions import do_import_file
from komando.imports.blank import blank_csv, blank_xlsx
from komando.imports.formats.registry import TEMPLATES, all_templates
from komando.imports.forms import ImportForm
from komando.imports.selectors import recent_batches

ERRORS_SHOWN = 500

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_administrator(request):
    if not can_import_files(request.user):
        raise PermissionDenied


@login_required
def import_page(request):
    _require_administrator(request)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            template = TEMPLATES[form.cleaned_data["template"]]
            result = do_import_file(template.source_slug, template, form.cleaned_data["file"], acting_user=request.user)
            form = ImportForm(initial={"template": template.slug})
    else:
        form = ImportForm()
    status = 200 if result is None or result.ok else 422
    return render(
        request,
        "imports/import_page.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_hidden": max(0, len(result.errors) - ERRORS_SHOWN) if result else 0,
            "templates": all_templates(),
            "batches": recent_batches(),
        },
        status=status,
    )


@login_required
def blank_template(request, slug, extension):
    _require_administrator(request)
    template = TEMPLATES.get(slug)
    if template is None:
        raise Http404
    if extension == "csv":
        response = HttpResponse(blank_csv(template), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(blank_xlsx(template), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="templat-{template.slug}.{extension}"'
    return response
