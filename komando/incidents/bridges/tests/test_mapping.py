"""The city's channel_categories.json: every channel's codes reach a real category with an SOP, and
a malformed file is refused with the place of the fault."""

import csv
import json

import pytest
from django.conf import settings

from komando.connectors.call_112.client import KINDS
from komando.incidents.bridges.mapping import MappingError, load_mapping, mapped_category_codes, parse_mapping
from komando.incidents.choices import Priority


def city_file(name):
    return settings.KOMANDO_CITY_DIR / name


def category_codes() -> set[str]:
    with open(city_file("incident_categories.csv"), newline="", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def test_every_mapped_category_is_a_city_category_with_a_playbook():
    mapping = load_mapping()
    playbooks = json.loads(city_file("playbooks.json").read_text(encoding="utf-8"))["playbooks"]
    codes = mapped_category_codes(mapping)
    assert codes <= category_codes()
    assert codes <= set(playbooks)
    assert len(codes) >= 15


def test_what_the_sources_send_today_is_mapped_without_fallback():
    mapping = load_mapping()
    simulators = settings.KOMANDO_CITY_DIR / "simulators"
    laksa_codes = {s["service_code"] for s in json.loads((simulators / "laksa.json").read_text())["services"]}
    lapor_topics = {t["id"] for t in json.loads((simulators / "lapor.json").read_text())["topics"]}
    assert laksa_codes <= set(mapping.laksa.categories)
    assert lapor_topics == set(mapping.lapor.categories)
    assert set(KINDS) == set(mapping.call_112.kinds)
    assert mapping.call_112.kinds["iseng"] is None  # pranks open nothing
    assert mapping.call_112.kinds["medis"].category == "MEDIS"
    assert mapping.call_112.kinds["kebakaran"].category == "KEBAKARAN"
    assert all(t is None or t.priority in Priority.values for t in mapping.call_112.kinds.values())
    assert mapping.gauges.opens_at == "siaga_3" and mapping.gauges.category == "BANJIR"
    assert mapping.atcs.opens_at == {"macet"} and mapping.atcs.category == "KEMACETAN"


def test_complaint_codes_map_then_fall_back():
    mapping = load_mapping()
    known = category_codes()
    assert mapping.laksa.category_for("JLN-RUSAK", known) == ("JLN-RUSAK", False)
    assert mapping.laksa.category_for("PARKIR-LIAR", known) == ("PARKIR-LIAR", False)  # a city code: itself
    assert mapping.laksa.category_for("NO-SUCH-SERVICE", known) == ("LAYANAN", True)
    assert mapping.laksa.category_for("", known) == ("LAYANAN", True)
    assert mapping.lapor.category_for("61", known) == ("KEBERSIHAN", False)
    assert mapping.lapor.category_for("SAMPAH", known) == ("LAYANAN", True)  # LAPOR! topics are not our codes
    assert mapping.call_112.target_for("unknown") == (mapping.call_112.fallback, True)


def original():
    return json.loads(city_file("channel_categories.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda d: d.pop("laksa"), "laksa"),
        (lambda d: d["lapor"].update(fallback=""), "lapor.fallback"),
        (lambda d: d["lapor"]["categories"].update({"99": 12}), "lapor.categories.99"),
        (lambda d: d["laksa"].update(max_age_hours=0), "laksa.max_age_hours"),
        (lambda d: d["laksa"].update(max_age_hours="24"), "laksa.max_age_hours"),
        (
            lambda d: d["call_112"]["kinds"].update(medis={"category": "MEDIS", "priority": "urgent"}),
            "call_112.kinds.medis.priority",
        ),
        (lambda d: d["call_112"]["kinds"].update(medis="MEDIS"), "call_112.kinds.medis"),
        (lambda d: d["call_112"].pop("fallback"), "call_112.fallback"),
        (lambda d: d["sensor"]["gauges"].update(opens_at="siaga_9"), "sensor.gauges.opens_at"),
        (lambda d: d["sensor"]["gauges"].update(priority={"normal": "rendah"}), "sensor.gauges.priority"),
        (lambda d: d["atcs"].update(opens_at=[]), "atcs.opens_at"),
        (lambda d: d["atcs"].update(continues_at=["merayap"]), "atcs.continues_at"),
        (lambda d: d["atcs"].update(max_gap_minutes=0), "atcs.max_gap_minutes"),
        (lambda d: d["atcs"].update(max_gap_minutes=True), "atcs.max_gap_minutes"),
    ],
)
def test_a_malformed_mapping_is_refused_with_its_place(change, place):
    data = original()
    change(data)
    with pytest.raises(MappingError, match=f"channel_categories.json: {place}"):
        parse_mapping(data)


def test_not_an_object_and_a_missing_or_broken_file(tmp_path):
    with pytest.raises(MappingError, match="top level"):
        parse_mapping([])
    with pytest.raises(MappingError, match="missing"):
        load_mapping(tmp_path)
    (tmp_path / "channel_categories.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(MappingError, match="cannot be read"):
        load_mapping(tmp_path)


def test_a_changed_file_is_read_again(city_copy):
    assert load_mapping().lapor.fallback == "LAYANAN"
    city_copy(lambda d: d["lapor"].update(fallback="SOSIAL"))
    assert load_mapping().lapor.fallback == "SOSIAL"
