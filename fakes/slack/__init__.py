"""A stand-in for Slack: its Web API (with state, Block Kit validation and failure injection), and a person who
sends the app signed requests as Slack would. Never imports licensebot's own packages (import-linter checks it).

    fakes.slack.web_api    FakeSlack: the Web API (messages, threads, views, stacks), on its own loopback server
    fakes.slack.asgi       the same fake as a Starlette app to mount elsewhere (the playground does)
    fakes.slack.client     signed slash commands and interaction payloads; SlackUser drives a modal
    fakes.slack.blockkit   offline Block Kit and app-manifest validation (schemas shipped as package data)
"""

from fakes.slack.records import Call, SlackError, ValidationProblem
from fakes.slack.web_api import FakeSlack

__all__ = ["Call", "FakeSlack", "SlackError", "ValidationProblem"]
