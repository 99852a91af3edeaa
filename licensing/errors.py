"""Errors that stop a whole request. Each carries the text a person should read; callers decide where it shows.

Per-user refusals inside a batch are not exceptions: they are `Problem`s in that user's outcome.
"""

from __future__ import annotations


class LicensingError(Exception):
    user_message: str = "That license change isn't allowed."

    def __init__(self, user_message: str | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        super().__init__(self.user_message)


class UnknownCustomer(LicensingError):
    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(f"No customer with id '{customer_id}'.")


class Forbidden(LicensingError):
    """The operator is not in the directory, lacks the role, or is not scoped to the customer."""


class InvalidRequest(LicensingError):
    """Input no change could be made of: no users, no products, a malformed country code."""


class IdempotencyKeyReused(LicensingError):
    def __init__(self, key: str) -> None:
        super().__init__(f"The idempotency key '{key}' was already used for a different change.")


class DirectoryFileError(LicensingError):
    """A directory file that cannot be imported; `problems` lists every one, each with its path in the file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(f"The directory file has {count} problem{'s' if count != 1 else ''}.")
