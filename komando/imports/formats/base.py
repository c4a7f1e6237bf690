"""What an import template is: its columns, how each cell is read and checked, its natural key, and
the action that stores its rows. Validation here is pure (no database); only ``store`` writes."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from komando.imports.parsing import FileRejected, FormulaWithoutValue, Table

# Columns that would carry residents' personal data (UU PDP 27/2022): a file holding one is refused
# as a whole, so such data never reaches Komando, not even in a rejected batch's error list.
PERSONAL_DATA_HEADERS = {
    "nik",
    "no_ktp",
    "nomor_ktp",
    "kk",
    "no_kk",
    "nama",
    "nama_lengkap",
    "nama_wajib_pajak",
    "nama_wp",
    "wajib_pajak",
    "npwp",
    "npwpd",
    "nop",
    "alamat",
    "alamat_wp",
    "telepon",
    "no_telepon",
    "nomor_telepon",
    "hp",
    "no_hp",
    "nomor_hp",
    "email",
    "tanggal_lahir",
    "tgl_lahir",
}

INDONESIAN_MONTHS = [
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
]
ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
GROUPED_INTEGER = re.compile(r"^-?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
PLAIN_INTEGER = re.compile(r"^-?\d+$")
# Whole amounts written with zero decimals, Indonesian ("1.234.567,00") or English ("1,234,567.00") style.
ZERO_DECIMALS = re.compile(r"^(-?\d{1,3}(?:\.\d{3})*),0{1,2}$|^(-?\d{1,3}(?:,\d{3})*)\.0{1,2}$|^(-?\d+)[.,]0{1,2}$")


class CellProblem(ValueError):
    """A cell's value cannot be used; the message says why."""


@dataclass(frozen=True)
class RowError:
    row: int | None  # as numbered in the file (header = 1); None for the file as a whole
    column: str
    problem: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "problem": str(self.problem)}


def read_whole_number(value) -> int:
    """Rupiah and counts: whole numbers; "1.234.567", "1,234,567" and "1 234 567" are read as grouped."""
    if isinstance(value, bool):
        raise CellProblem(_("not a number"))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellProblem(_("not a whole number: %(value)s") % {"value": value})
    text = str(value).strip().replace("\u00a0", " ")
    if text.lower().startswith("rp"):
        text = text[2:].lstrip(". ").strip()
    if PLAIN_INTEGER.match(text):
        return int(text)
    zero_decimals = ZERO_DECIMALS.match(text)
    if zero_decimals:
        text = next(group for group in zero_decimals.groups() if group)
    if PLAIN_INTEGER.match(text):
        return int(text)
    if GROUPED_INTEGER.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    raise CellProblem(_("not a number: “%(value)s”") % {"value": text[:40]})


def rupiah(amount: int) -> str:
    """Indonesian grouping: 2.500.000."""
    return f"{amount:,}".replace(",", ".")


def read_month(value) -> int:
    if isinstance(value, (datetime, date)):
        return value.month
    text = str(value).strip().lower()
    if text in INDONESIAN_MONTHS:
        return INDONESIAN_MONTHS.index(text) + 1
    if text in ENGLISH_MONTHS:
        return ENGLISH_MONTHS.index(text) + 1
    try:
        number = read_whole_number(value)
    except CellProblem:
        number = None
    if number is None or not 1 <= number <= 12:
        raise CellProblem(_("unknown month: “%(value)s” (use 1–12 or Januari–Desember)") % {"value": str(value)[:40]})
    return number


def read_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@dataclass(frozen=True)
class Column:
    name: str  # header in the file
    field: str  # key of the typed row handed to ``store``
    description: object  # lazily translated
    example: str
    reader: Callable = read_text
    required: bool = True
    min_value: int | None = None
    max_value: int | None = None
    is_rupiah: bool = False

    def read(self, value):
        if isinstance(value, FormulaWithoutValue):
            raise CellProblem(
                _("formula without a saved result (%(formula)s); open and save the file in a spreadsheet program first")
                % {"formula": value.formula[:40]}
            )
        typed = self.reader(value)
        if self.min_value is not None and typed < self.min_value:
            if self.min_value == 0:
                raise CellProblem(_("negative amount: %(value)s") % {"value": rupiah(typed) if self.is_rupiah else typed})
            raise CellProblem(
                _("%(value)s is below the lowest allowed value %(limit)s") % {"value": typed, "limit": self.min_value}
            )
        if self.max_value is not None and typed > self.max_value:
            raise CellProblem(
                _("%(value)s is above the highest allowed value %(limit)s") % {"value": typed, "limit": self.max_value}
            )
        return typed


@dataclass
class Validated:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportTemplate:
    """Subclass, fill in the class attributes, implement ``store``, and ``@register`` it."""

    slug: str = ""
    source_slug: str = ""
    title = gettext_lazy("Import template")
    description = ""
    columns: list[Column] = []
    natural_key: tuple[str, ...] = ()  # fields identifying one stored row

    # --- reading and checking (pure)
    def check_headers(self, headers: list[str]) -> None:
        personal = sorted(set(headers) & PERSONAL_DATA_HEADERS)
        if personal:
            raise FileRejected(
                _(
                    "The file has columns with personal data (%(columns)s). Komando stores only "
                    "aggregates: remove these columns and upload again."
                )
                % {"columns": ", ".join(personal)}
            )
        missing = [column.name for column in self.columns if column.required and column.name not in headers]
        if missing:
            raise FileRejected(
                _("The header row lacks the columns %(missing)s of the template “%(template)s”. Found: %(found)s.")
                % {"missing": ", ".join(missing), "template": self.title, "found": ", ".join(h for h in headers if h) or "-"}
            )

    def data_as_of(self, source) -> datetime | None:
        """Up to when the stored data of ``source`` reaches (e.g. the end of its newest month), or None
        when the template cannot say. Override where the rows carry a period."""
        return None

    def check_row(self, row: dict) -> list[tuple[str, str]]:
        """Checks across the columns of one typed row: [(column, problem)]. Override as needed."""
        return []

    def validate(self, table: Table) -> Validated:
        self.check_headers(table.headers)
        result = Validated()
        first_row_of_key: dict[tuple, int] = {}
        for number, values in table.rows:
            typed, problems = {}, []
            for column in self.columns:
                value = values.get(column.name)
                if value is None:
                    if column.required:
                        problems.append((column.name, _("missing value")))
                    else:
                        typed[column.field] = None
                    continue
                try:
                    typed[column.field] = column.read(value)
                except CellProblem as problem:
                    problems.append((column.name, str(problem)))
            if not problems:
                problems.extend(self.check_row(typed))
            if not problems:
                key = tuple(typed[name] for name in self.natural_key)
                if key in first_row_of_key:
                    problems.append(
                        (
                            ", ".join(self.key_columns()),
                            _("duplicate key in file: same as row %(row)s") % {"row": first_row_of_key[key]},
                        )
                    )
                else:
                    first_row_of_key[key] = number
            if problems:
                result.errors.extend(RowError(number, column, problem) for column, problem in problems)
            else:
                result.rows.append(typed)
        return result

    def key_columns(self) -> list[str]:
        by_field = {column.field: column.name for column in self.columns}
        return [by_field[name] for name in self.natural_key]

    # --- storing (runs inside the import's transaction)
    def store(self, source, rows: list[dict], batch) -> tuple[int, int, int]:
        """Write the rows; return (created, updated, unchanged)."""
        raise NotImplementedError
