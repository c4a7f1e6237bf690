import json

import pytest

from komando.core.city import CityDataInvalid, current_city, read_city


def test_current_city_is_the_configured_data_folder():
    city = current_city()
    assert (city.code, city.name, city.timezone) == ("36.71", "Kota Tangerang", "Asia/Jakarta")
    assert city.center == {"lat": -6.1703, "lon": 106.6403}
    assert city.open311_jurisdiction_id == "tangerangkota.go.id"
    assert city.get("population_total") == 1957349


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "is missing"),
        ("{not json", "not valid JSON"),
        (json.dumps({"code": "99.01", "name": "Kota Contoh"}), "lacks timezone, center"),
        (json.dumps({"code": "99.01", "name": "Kota Contoh", "timezone": "Asia/Makassar"}), "lacks center"),
        (
            json.dumps({"code": "99.01", "name": "Kota Contoh", "timezone": "Asia/Makassar", "center": {"lat": "x", "lon": 1}}),
            "center must be",
        ),
        (
            json.dumps({"code": "99.01", "name": "Kota Contoh", "timezone": "Asia/Makasar", "center": {"lat": 0, "lon": 1}}),
            "timezone 'Asia/Makasar' is not an IANA zone",
        ),
    ],
)
def test_bad_city_file_is_refused_with_its_reason(tmp_path, text, message):
    if text is not None:
        (tmp_path / "city.json").write_text(text)
    with pytest.raises(CityDataInvalid, match=message):
        read_city(tmp_path)


def test_the_summary_screens_embed_is_code_name_centre_and_time_zone():
    assert current_city().summary() == {
        "code": "36.71",
        "name": "Kota Tangerang",
        "center": {"lat": -6.1703, "lon": 106.6403},
        "timezone": "Asia/Jakarta",
    }
