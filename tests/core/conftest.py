from importlib import resources

import pytest


@pytest.fixture(scope="session")
def sample_text() -> str:
    return resources.files("translator.samples").joinpath("sample_episode.txt").read_text("utf-8")
