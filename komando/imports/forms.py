from django import forms
from django.utils.translation import gettext_lazy as _

from komando.imports.selectors import template_choices


class ImportForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=())
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_choices()
