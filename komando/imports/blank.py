"""Blank template files to download: the header row, ready to be filled in. Pure."""

import csv
import io

from komando.imports.formats.base import ImportTemplate


def blank_csv(template: ImportTemplate) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([column.name for column in template.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def blank_xlsx(template: ImportTemplate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = template.slug[:31]
    sheet.append([column.name for column in template.columns])
    for index, column in enumerate(template.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
