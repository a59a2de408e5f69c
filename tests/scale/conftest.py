from tests.scale.fixtures import *  # noqa: F403
