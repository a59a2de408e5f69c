"""Engine test fixtures live in tests/support/fixtures.py (shared with other test packages)."""

from tests.support.fixtures import *  # noqa: F403
