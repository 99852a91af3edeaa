"""Fixtures every folder under tests/ may ask for, loaded as plugins rather than imported into test modules."""

pytest_plugins = ["tests.databases", "tests.slack.fixtures", "tests.m365.fixtures", "tests.partner_center.fixtures"]
