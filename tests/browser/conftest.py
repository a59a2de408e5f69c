"""Browser fixtures live in tests/support/browser.py (registered by tests/conftest.py)."""
