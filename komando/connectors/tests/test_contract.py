"""The connector contract (``komando.sources.testing``), run for every connector the registry finds."""

import pytest

from komando.sources.registry import manifests
from komando.sources.testing import PARTS, contract_of, run_contract_part


@pytest.mark.django_db
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("slug", sorted(manifests()))
def test_connector_contract(request, reference_data, slug, part):
    gap = contract_of(slug).known_gaps.get(part)
    if gap is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{slug}: known gap: {gap}"))
    reason = run_contract_part(slug, part)
    if reason is not None:
        pytest.skip(f"{slug}: {part} does not apply: {reason}")
