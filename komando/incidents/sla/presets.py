"""SLA presets: named sets of deadlines a playbook can adopt instead of spelling them out.

``LAPOR_PRESET`` is SP4N-LAPOR!'s rule (Perpres 76/2013; Permenpan-RB 62/2018 on complaint
handling; the LAPOR! app description, see shared STANDARDS.md section g):

1. ``forward``   -- verify and forward (disposisi) to the responsible OPD within 3 working days
   of the report;
2. ``follow_up`` -- the OPD follows up (tindak lanjut) within 5 working days of being forwarded;
3. ``auto_close`` -- a report whose follow-up gets no reply from the reporter is closed 10 working
   days after the follow-up.

Each step says which moment its clock starts from (``counts_from``), so the incidents app maps
steps to its own deadline columns without guessing: ``forward`` from the report, ``follow_up``
from the hand-over to the OPD, ``auto_close`` from the follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .deadlines import WORKING_DAYS, deadline_for

# The moments a step's clock can start from.
FROM_REPORTED = "reported"
FROM_FORWARDED = "forwarded"
FROM_FOLLOWED_UP = "followed_up"


@dataclass(frozen=True)
class SlaStep:
    key: str
    label: str
    amount: int
    unit: str
    counts_from: str

    def deadline(self, start: datetime) -> datetime:
        """The step's deadline (UTC) when its clock started at ``start``."""
        return deadline_for(start, amount=self.amount, unit=self.unit)


@dataclass(frozen=True)
class SlaPreset:
    key: str
    name: str
    steps: tuple[SlaStep, ...]

    def step(self, key: str) -> SlaStep:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"SLA preset {self.key!r} has no step {key!r}; it has: {', '.join(s.key for s in self.steps)}.")

    def deadline(self, step_key: str, start: datetime) -> datetime:
        return self.step(step_key).deadline(start)


LAPOR_PRESET = SlaPreset(
    key="sp4n-lapor",
    name=_("SP4N-LAPOR! (3 / 5 / 10 working days)"),
    steps=(
        SlaStep("forward", _("Verify and forward to the OPD"), 3, WORKING_DAYS, FROM_REPORTED),
        SlaStep("follow_up", _("Follow-up by the OPD"), 5, WORKING_DAYS, FROM_FORWARDED),
        SlaStep("auto_close", _("Close when the reporter does not reply"), 10, WORKING_DAYS, FROM_FOLLOWED_UP),
    ),
)

PRESETS = {preset.key: preset for preset in (LAPOR_PRESET,)}
