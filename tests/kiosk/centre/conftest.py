from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kiosk.centre.fake_centre import FakeCentre


@pytest.fixture
def centre() -> Iterator[FakeCentre]:
    fake = FakeCentre()
    try:
        yield fake
    finally:
        fake.close()
