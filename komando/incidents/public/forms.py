"""The residents' report form and the ticket lookup form. Checks the input for the resident (clear
messages, field by field); the intake action checks it again for every channel and places the point."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from komando.incidents.actions.intake import MAX_DESCRIPTION
from komando.incidents.models import Category
from komando.incidents.public.photos import PhotoError, clean_photo
from komando.regions.models import Region, RegionLevel

KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
SOURCE_REF_PREFIX = "lapor-"
MIN_DESCRIPTION = 10
_DIGITS = re.compile(r"\d")


def new_form_key() -> str:
    """The idempotency key of one filled-in form: the same form sent twice is one report."""
    return secrets.token_urlsafe(18)


def category_choices() -> list:
    """Active categories that can take reports (they have an SOP), grouped by their parent: each group
    lists its categories, then the group itself as "Other …" for a resident unsure which one fits."""
    categories = list(Category.objects.filter(active=True, playbook__isnull=False).select_related("parent"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    choices: list = [("", _("Choose what the problem is"))]
    for top in children.get(None, []):
        options = [(child.code, child.name) for child in children.get(top.pk, [])]
        if options:
            options.append((top.code, _("Other: %(group)s") % {"group": top.name}))
            choices.append((top.name, options))
        else:
            choices.append((top.code, top.name))
    return choices


def kelurahan_choices() -> list:
    """Kelurahan grouped by kecamatan, for a resident who types an address instead of using the map."""
    rows = Region.objects.filter(level=RegionLevel.KELURAHAN).select_related("parent").order_by("parent__name", "name")
    groups: dict[str, list] = {}
    for row in rows:
        kecamatan = row.parent.name if row.parent_id else ""
        groups.setdefault(kecamatan, []).append((row.code, row.name))
    return [("", _("Choose the kelurahan"))] + [
        (_("Kecamatan %(name)s") % {"name": name}, options) for name, options in groups.items()
    ]


def validate_phone(value: str) -> None:
    digits = len(_DIGITS.findall(value))
    if not re.fullmatch(r"\+?[0-9 ().-]+", value) or not 8 <= digits <= 15:
        raise ValidationError(_("Type a phone number of 8 to 15 digits, e.g. 0812 3456 7890."), code="phone")


class ReportForm(forms.Form):
    key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is incomplete. Open the report page again and fill it in."),
            "invalid": _("The form is incomplete. Open the report page again and fill it in."),
        },
    )
    category = forms.ChoiceField(
        label=_("What is the problem?"),
        error_messages={"required": _("Choose what the problem is."), "invalid_choice": _("Choose a problem from the list.")},
    )
    description = forms.CharField(
        label=_("Describe it"),
        min_length=MIN_DESCRIPTION,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_DESCRIPTION}),
        help_text=_("What happened, since when, and anything that helps the officers find it."),
        error_messages={
            "required": _("Describe the problem in a few words."),
            "min_length": _("Describe the problem in a few more words (at least %(limit_value)d characters)."),
            "max_length": _("The description is too long: at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    lat = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The place on the map is not valid. Tap the map again.")},
    )
    lon = forms.FloatField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("The place on the map is not valid. Tap the map again.")},
    )
    location_source = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), ("map", "map"), ("gps", "gps")]
    )
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("The address is too long: at most %(limit_value)d characters (it has %(show_value)d).")},
    )
    kelurahan = forms.ChoiceField(
        label=_("Kelurahan"), required=False, error_messages={"invalid_choice": _("Choose a kelurahan from the list.")}
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        error_messages={"max_length": _("The name is too long: at most %(limit_value)d characters.")},
    )
    contact_phone = forms.CharField(
        label=_("Phone / WhatsApp"),
        required=False,
        max_length=40,
        validators=[validate_phone],
        error_messages={"max_length": _("Type a phone number of 8 to 15 digits, e.g. 0812 3456 7890.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Type a valid e-mail address, e.g. nama@contoh.id.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["kelurahan"].choices = kelurahan_choices()
        self.photo = None  # the CleanPhoto (public.photos.clean_photo), once valid

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_photo(self):
        """Checked (size, really an image) and re-encoded without its metadata (EXIF GPS: where the
        resident was); the view keeps it with the report."""
        upload = self.cleaned_data.get("photo")
        if upload:
            try:
                self.photo = clean_photo(upload)
            except PhotoError as error:
                raise ValidationError(error.message, code=error.code, params=error.params or None) from None
        return upload

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("lon")
        if self.has_error("lat") or self.has_error("lon"):
            return data
        if (lat is None) != (lon is None):
            self.add_error("lat", _("The place on the map is not valid. Tap the map again."))
        elif lat is None:
            data["location_source"] = "kelurahan"
            if not data.get("kelurahan") and not self.has_error("kelurahan"):
                self.add_error(
                    "lat", _("Mark the place: tap the map, use your location, or type the address and choose the kelurahan.")
                )
            elif not data.get("address", "").strip() and not self.has_error("address"):
                self.add_error("address", _("Type the address or a landmark, so that officers can find the place."))
        else:
            data["location_source"] = data.get("location_source") or "map"
        return data

    # What the view hands to the intake action.
    def source_ref(self) -> str:
        return SOURCE_REF_PREFIX + self.cleaned_data["key"]

    def point(self) -> tuple[float, float]:
        """The place: the map point, or the centre of the chosen kelurahan for an address without one."""
        data = self.cleaned_data
        if data.get("lat") is not None:
            return data["lat"], data["lon"]
        kelurahan = Region.objects.get(code=data["kelurahan"], level=RegionLevel.KELURAHAN)
        return kelurahan.centroid_lat, kelurahan.centroid_lon

    def contact(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("contact_name", ""),
            "phone": data.get("contact_phone", ""),
            "email": data.get("contact_email", ""),
        }

    def attributes(self) -> dict:
        """What the operator should know about how the report was placed (no personal data)."""
        data = self.cleaned_data
        attributes = {"location_source": data["location_source"]}
        if data["location_source"] == "kelurahan":
            attributes["kelurahan"] = data["kelurahan"]
        return attributes


class TicketLookupForm(forms.Form):
    tiket = forms.CharField(
        label=_("Ticket number"),
        max_length=32,
        error_messages={
            "required": _("Type the ticket number you were given, e.g. TNG-2611-00042."),
            "max_length": _("A ticket number has at most %(limit_value)d characters."),
        },
    )

    def clean_tiket(self) -> str:
        return self.cleaned_data["tiket"].strip().upper()
