"""A new template is one class: columns, natural key and ``store``. Everything else is shared."""

import pytest

from komando.imports.actions import do_import_file
from komando.imports.formats.base import Column, ImportTemplate, read_whole_number
from komando.imports.formats.registry import TEMPLATES, register
from komando.imports.models import BatchStatus
from komando.imports.tests.factories import upload

pytestmark = pytest.mark.django_db


class PermitCountTemplate(ImportTemplate):
    slug = "test-izin-bulanan"
    source_slug = "perizinan"
    title = "Permits per month"
    natural_key = ("month", "kind")
    columns = [
        Column("bulan", "month", "Month", "1", read_whole_number, min_value=1, max_value=12),
        Column("jenis_izin", "kind", "Kind of permit", "PBG"),
        Column("terbit", "issued", "Issued", "12", read_whole_number, min_value=0),
    ]
    stored: list = []

    def store(self, source, rows, batch):
        self.stored.extend(rows)
        return len(rows), 0, 0

    def data_as_of(self, source):
        return None


@pytest.fixture
def permit_template():
    register(PermitCountTemplate)
    yield TEMPLATES["test-izin-bulanan"]
    del TEMPLATES["test-izin-bulanan"]


def test_a_registered_template_gets_validation_and_import_for_free(personas, permit_template):
    bad = b"bulan;jenis_izin;terbit\n1;PBG;12\n13;SLF;x\n1;PBG;3\n"
    result = do_import_file("perizinan", "test-izin-bulanan", upload(bad), acting_user=personas["administrator"])
    assert result.status == BatchStatus.REJECTED
    assert [(error.row, error.column) for error in result.errors] == [(3, "bulan"), (3, "terbit"), (4, "bulan, jenis_izin")]
    assert permit_template.stored == []

    good = b"bulan;jenis_izin;terbit\n1;PBG;12\n2;SLF;4\n"
    result = do_import_file("perizinan", "test-izin-bulanan", upload(good), acting_user=personas["administrator"])
    assert result.status == BatchStatus.IMPORTED
    assert permit_template.stored == [{"month": 1, "kind": "PBG", "issued": 12}, {"month": 2, "kind": "SLF", "issued": 4}]


def test_a_template_cannot_be_used_for_another_source(personas):
    with pytest.raises(ValueError, match="belongs to source"):
        do_import_file("siak", "pendapatan-bulanan", upload(b"x"), acting_user=personas["administrator"])
