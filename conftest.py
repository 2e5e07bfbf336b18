"""Registers the kata harness: see harness/plugin.py for what it adds to pytest."""

pytest_plugins = ["harness.plugin"]
