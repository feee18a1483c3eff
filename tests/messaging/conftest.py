import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a write and what follows its commit (the signals, their tasks, the notify)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run
