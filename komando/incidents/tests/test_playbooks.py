"""SOP playbooks: the seed covers every category sensibly; editing makes a new version and an incident
keeps the version it started under; a version never changes."""

import csv
import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from komando.audit.models import AuditRecord
from komando.incidents.actions import do_edit_playbook, do_load_incident_reference_data
from komando.incidents.choices import ESCALATION_ORDER, Priority
from komando.incidents.errors import InvalidPlaybook
from komando.incidents.models import Category, Playbook, PlaybookVersion
from komando.incidents.playbooks import clean_content

pytestmark = pytest.mark.django_db

RESPONSIBLE = {
    "SAMPAH": "dlh",
    "KEMACETAN": "dishub",
    "PJU-MATI": "dishub",
    "LAMPU-LALIN": "dishub",
    "JLN-RUSAK": "pupr",
    "SALURAN": "pupr",
    "GENANGAN": "pupr",
    "KETERTIBAN": "satpol-pp",
    "MEDIS": "dinkes",
    "KEBAKARAN": "damkar",
    "POHON-TUMBANG": "damkar",
    "BANJIR": "bpbd",
    "PMKS": "dinsos",
    "ADMINDUK": "disdukcapil",
}
WALL_CLOCK = {"minutes", "hours"}


def current(code: str) -> PlaybookVersion:
    return Category.objects.get(code=code).playbook.current_version()


def test_the_categories_the_city_named_are_seeded_in_a_tree(incident_data):
    for code in [
        "KEMACETAN",
        "SAMPAH",
        "SALURAN",
        "GENANGAN",
        "KETERTIBAN",
        "MEDIS",
        "KEBAKARAN",
        "POHON-TUMBANG",
        "JLN-RUSAK",
        "PJU-MATI",
        "BANJIR",
    ]:
        category = Category.objects.get(code=code)
        assert category.parent is not None and category.parent.parent is None, code
    assert Category.objects.get(code="MEDIS").name == "Kedaruratan medis"
    assert Category.objects.filter(parent=None).count() >= 5


def test_every_category_has_a_sensible_playbook(incident_data):
    categories = list(Category.objects.all())
    assert len(categories) == incident_data["categories"] == Playbook.objects.count()
    for category in categories:
        version = category.playbook.current_version()
        assert version.number == 1 and version.created_by is None, category.code
        assert any(step["mandatory"] for step in version.steps), category.code
        assert set(version.sla) == set(version.respond_sla) == set(Priority.values), category.code
        assert [rung["role"] for rung in version.escalation] == ESCALATION_ORDER, category.code
        assert version.regulation, category.code
        units = {rule["unit"] for rule in [*version.sla.values(), *version.respond_sla.values()]}
        units |= {rung["after"]["unit"] for rung in version.escalation}
        if category.emergency:
            assert units <= WALL_CLOCK, category.code


@pytest.mark.parametrize("code, agency", sorted(RESPONSIBLE.items()))
def test_the_responsible_opd_follows_the_city(incident_data, code, agency):
    assert current(code).agency.code == agency


def test_emergencies_are_faster_than_service_complaints(incident_data):
    fire, garbage = current("KEBAKARAN"), current("SAMPAH")
    assert fire.respond_sla["kritis"] == {"amount": 15, "unit": "minutes"}  # Permendagri 114/2018
    assert garbage.respond_sla["sedang"]["unit"] == "working_days"
    for category in Category.objects.filter(emergency=True):
        assert category.default_priority in (Priority.TINGGI, Priority.KRITIS), category.code


def test_loading_the_seed_again_changes_nothing(incident_data):
    versions = list(PlaybookVersion.objects.values_list("pk", flat=True))
    counts = do_load_incident_reference_data(settings.KOMANDO_CITY_DIR)
    assert counts["playbooks_unchanged"] == len(versions) and counts["playbooks_created"] == 0
    assert list(PlaybookVersion.objects.values_list("pk", flat=True)) == versions


def test_the_reference_data_command_loads_categories_and_playbooks(reference_data):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    call_command("load_reference_data", stdout=out)
    assert Category.objects.filter(code="KEBAKARAN").exists()
    assert PlaybookVersion.objects.count() == Category.objects.count()
    assert "0 new" in out.getvalue().splitlines()[-1]


def _city_copy(tmp_path):
    for name in ("incident_categories.csv", "playbooks.json"):
        shutil.copy(settings.KOMANDO_CITY_DIR / name, tmp_path / name)
    return tmp_path


def test_a_newer_seed_replaces_an_older_seed_but_never_an_edit(incident_data, operator, tmp_path):
    city = _city_copy(tmp_path)
    do_edit_playbook(
        Category.objects.get(code="KEBAKARAN").playbook,
        acting_user=operator,
        regulation="Perwal Kota Tangerang tentang SOP Damkar",
        change_note="nomor Perwal",
    )
    data = json.loads((city / "playbooks.json").read_text())
    for code in ("SAMPAH", "KEBAKARAN"):
        data["playbooks"][code]["regulation"] += " (revisi)"
    (city / "playbooks.json").write_text(json.dumps(data))
    counts = do_load_incident_reference_data(city)
    assert counts["playbooks_updated"] == 1
    assert (current("SAMPAH").number, current("SAMPAH").regulation.endswith("(revisi)")) == (2, True)
    assert current("KEBAKARAN").regulation == "Perwal Kota Tangerang tentang SOP Damkar"


def test_the_seed_refuses_a_category_without_a_playbook(reference_data, tmp_path):
    city = _city_copy(tmp_path)
    with open(city / "incident_categories.csv", "a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["LAINNYA", "Lainnya", "", "rendah", "no", "99", "", ""])
    with pytest.raises(InvalidPlaybook, match="LAINNYA"):
        do_load_incident_reference_data(city)
    assert not Category.objects.exists() and not PlaybookVersion.objects.exists()


def test_editing_a_playbook_creates_a_new_version_and_old_incidents_keep_theirs(report, operator):
    old_incident = report("SAMPAH")
    playbook = Category.objects.get(code="SAMPAH").playbook
    steps = [*current("SAMPAH").steps, {"key": "cek-ulang", "title": "Cek ulang tiga hari kemudian", "mandatory": True}]
    version = do_edit_playbook(playbook, acting_user=operator, steps=steps, agency="disperkim", change_note="langkah cek ulang")
    assert (version.number, version.agency.code, version.created_by) == (2, "disperkim", operator)
    assert version.sla == PlaybookVersion.objects.get(playbook=playbook, number=1).sla  # untouched parts carry over
    old_incident.refresh_from_db()
    assert old_incident.playbook_version.number == 1 and old_incident.agency.code == "dlh"
    assert "cek-ulang" not in [step["key"] for step in old_incident.playbook_version.steps]
    new_incident = report("SAMPAH")
    assert new_incident.playbook_version == version and new_incident.agency.code == "disperkim"
    record = AuditRecord.objects.get(action="playbook.edit")
    assert record.actor == operator and record.before["agency"] == "dlh" and record.after["agency"] == "disperkim"


def test_editing_to_the_same_content_creates_no_version(incident_data, operator):
    playbook = Category.objects.get(code="SAMPAH").playbook
    version = do_edit_playbook(playbook, acting_user=operator, regulation=current("SAMPAH").regulation)
    assert version.number == 1 and playbook.versions.count() == 1
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"steps": []},
        {"steps": [{"key": "A B", "title": "x", "mandatory": True}]},
        {"steps": [{"key": "a", "title": "x", "mandatory": True}, {"key": "a", "title": "y", "mandatory": False}]},
        {"steps": [{"key": "a", "title": "", "mandatory": True}]},
        {"steps": [{"key": "a", "title": "x", "mandatory": "ya"}]},
        {"sla": {"rendah": {"amount": 1, "unit": "working_days"}}},
        {"sla": {p: {"amount": -1, "unit": "hours"} for p in Priority.values}},
        {"sla": {p: {"amount": 1, "unit": "weeks"} for p in Priority.values}},
        {"respond_sla": {p: {"amount": 1.5, "unit": "hours"} for p in Priority.values}},
        {"escalation": []},
        {
            "escalation": [
                {"role": "sekda", "after": {"amount": 1, "unit": "hours"}},
                {"role": "operator", "after": {"amount": 2, "unit": "hours"}},
            ]
        },
        {"escalation": [{"role": "presiden", "after": {"amount": 1, "unit": "hours"}}]},
        {"regulation": "   "},
        {"agency": "tidak-ada"},
    ],
    ids=lambda change: str(change)[:50],
)
def test_a_bad_edit_is_refused_and_stores_nothing(incident_data, operator, change):
    playbook = Category.objects.get(code="SAMPAH").playbook
    with pytest.raises(InvalidPlaybook):
        do_edit_playbook(playbook, acting_user=operator, **change)
    assert playbook.versions.count() == 1 and not AuditRecord.objects.exists()


def test_an_emergency_playbook_cannot_use_working_days(incident_data, operator):
    playbook = Category.objects.get(code="KEBAKARAN").playbook
    with pytest.raises(InvalidPlaybook, match="wall clock"):
        do_edit_playbook(playbook, acting_user=operator, sla={p: {"amount": 1, "unit": "working_days"} for p in Priority.values})


def test_a_playbook_version_never_changes(incident_data):
    version = current("SAMPAH")
    version.regulation = "diubah diam-diam"
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    with pytest.raises(ValueError, match="immutable"):
        PlaybookVersion.objects.filter(pk=version.pk).update(regulation="diubah")
    with pytest.raises(ValueError, match="immutable"):
        version.delete()
    with pytest.raises(ValueError, match="immutable"):
        PlaybookVersion.objects.filter(pk=version.pk).delete()
    assert PlaybookVersion.objects.get(pk=version.pk).regulation != "diubah diam-diam"


def test_clean_content_normalises_a_valid_playbook():
    content = clean_content(
        steps=[{"key": "survei", "title": " Survei lokasi ", "mandatory": True}, {"key": "foto", "title": "Foto"}],
        sla={p: {"amount": 2, "unit": "hours", "note": "dropped"} for p in Priority.values},
        respond_sla={p: {"amount": 0, "unit": "minutes"} for p in Priority.values},
        escalation=[{"role": "operator", "after": {"amount": 0, "unit": "hours"}}],
        regulation=" Perwal 1/2026 ",
        emergency=True,
    )
    assert content["steps"][0] == {"key": "survei", "title": "Survei lokasi", "mandatory": True}
    assert content["steps"][1]["mandatory"] is False
    assert content["sla"]["kritis"] == {"amount": 2, "unit": "hours"}
    assert content["regulation"] == "Perwal 1/2026"
