"""Reading the environment for config/settings.py. Values are stripped; a variable that is
set, even to an empty string, is used (env_bool alone treats empty as unset)."""

import os

TRUE_VALUES = {"1", "true", "yes", "on"}


def env(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default=False):
    value = env(name)
    if not value:
        return default
    return value.lower() in TRUE_VALUES


def env_int(name, default):
    return int(env(name, str(default)))


def env_list(name, default=""):
    """A comma-separated list: "a, b,," is ["a", "b"]."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]
