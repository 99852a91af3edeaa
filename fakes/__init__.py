"""Fakes of the outside services licensebot talks to, for tests and benchmarks (never imported by the bot)."""
