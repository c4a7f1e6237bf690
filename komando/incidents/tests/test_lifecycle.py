"""The lifecycle table, checked cell by cell against the rules spelled out here independently."""

import itertools

import pytest
from django.utils import translation

from komando.incidents.choices import Status as S
from komando.incidents.errors import ChecklistIncomplete, ReasonRequired, TransitionNotAllowed
from komando.incidents.lifecycle import (
    ensure_can_close,
    ensure_reason_given,
    ensure_transition_allowed,
    undone_mandatory_steps,
)

# Every legal transition, written out (not derived from the module under test).
LEGAL = {
    (S.BARU, S.DIVERIFIKASI),
    (S.BARU, S.DITOLAK),
    (S.BARU, S.DUPLIKAT),
    (S.DIVERIFIKASI, S.DITUGASKAN),
    (S.DIVERIFIKASI, S.DIALIHKAN),
    (S.DIVERIFIKASI, S.DITOLAK),
    (S.DIVERIFIKASI, S.DUPLIKAT),
    (S.DITUGASKAN, S.DALAM_PENANGANAN),
    (S.DITUGASKAN, S.DIALIHKAN),
    (S.DITUGASKAN, S.DITOLAK),
    (S.DITUGASKAN, S.DUPLIKAT),
    (S.DALAM_PENANGANAN, S.SELESAI),
    (S.DALAM_PENANGANAN, S.DIALIHKAN),
    (S.DALAM_PENANGANAN, S.DITOLAK),
    (S.DALAM_PENANGANAN, S.DUPLIKAT),
    (S.SELESAI, S.DITUTUP),
    (S.SELESAI, S.DIBUKA_KEMBALI),
    (S.DITUTUP, S.DIBUKA_KEMBALI),
    (S.DIALIHKAN, S.DIVERIFIKASI),
    (S.DIALIHKAN, S.DITUGASKAN),
    (S.DIALIHKAN, S.DALAM_PENANGANAN),
    (S.DIALIHKAN, S.SELESAI),
    (S.DIALIHKAN, S.DUPLIKAT),
    (S.DIBUKA_KEMBALI, S.DITUGASKAN),
    (S.DIBUKA_KEMBALI, S.DALAM_PENANGANAN),
    (S.DIBUKA_KEMBALI, S.DIALIHKAN),
    (S.DIBUKA_KEMBALI, S.DUPLIKAT),
}
ALL_PAIRS = list(itertools.product(S.values, S.values))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in LEGAL]


@pytest.mark.parametrize("old, new", sorted(LEGAL))
def test_legal_transition_is_allowed(old, new):
    ensure_transition_allowed(old, new)  # raises if not


@pytest.mark.parametrize("old, new", ILLEGAL)
def test_illegal_transition_is_refused_with_a_clear_message(old, new):
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        ensure_transition_allowed(old, new)
    message = str(refused.value)
    assert str(S(old).label) in message and str(S(new).label) in message
    assert refused.value.code == "transition_not_allowed"


def test_the_matrix_covers_every_pair_of_statuses():
    assert len(S.values) == 10
    assert len(LEGAL) + len(ILLEGAL) == 100


def test_refusal_names_the_statuses_that_are_allowed():
    with translation.override("en"):
        with pytest.raises(TransitionNotAllowed) as refused:
            ensure_transition_allowed(S.BARU, S.SELESAI)
        expected = (
            f"An incident that is {S.BARU.label} cannot become {S.SELESAI.label}; it may become: "
            f"{S.DIVERIFIKASI.label}, {S.DITOLAK.label}, {S.DUPLIKAT.label}."
        )
        assert str(refused.value) == expected


def test_final_statuses_say_they_cannot_change():
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="cannot change any more"):
        ensure_transition_allowed(S.DITOLAK, S.DIVERIFIKASI)


def test_unknown_status_is_refused():
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="Unknown incident status"):
        ensure_transition_allowed(S.BARU, "hilang")


@pytest.mark.parametrize("status", [S.DITOLAK, S.DIBUKA_KEMBALI])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_and_reopening_need_a_reason(status, reason):
    with pytest.raises(ReasonRequired):
        ensure_reason_given(status, reason)
    ensure_reason_given(status, "Lokasi di luar kota")  # a reason in words is enough


def test_other_transitions_need_no_reason():
    ensure_reason_given(S.DIVERIFIKASI, "")


STEPS = [
    {"key": "survei", "title": "Survei", "mandatory": True},
    {"key": "foto", "title": "Foto sesudah", "mandatory": True},
    {"key": "konfirmasi", "title": "Konfirmasi", "mandatory": False},
]


def test_closing_is_refused_while_mandatory_steps_are_undone():
    with translation.override("en"), pytest.raises(ChecklistIncomplete) as refused:
        ensure_can_close(STEPS, ["survei", "konfirmasi"])
    assert refused.value.missing == ["foto"]
    assert "Foto sesudah" in str(refused.value)


def test_closing_is_allowed_when_only_optional_steps_are_undone():
    ensure_can_close(STEPS, ["foto", "survei"])
    assert undone_mandatory_steps(STEPS, ["foto", "survei"]) == []


def test_messages_render_in_the_language_active_when_shown():
    with pytest.raises(TransitionNotAllowed) as refused:
        ensure_transition_allowed(S.BARU, S.SELESAI)
    for language in ("id", "en"):
        with translation.override(language):
            assert str(S.SELESAI.label) in str(refused.value)
