"""`licenses apply` with an unknown user or product: bad input, exit 2, said once on stderr, and nothing recorded
(no batch, no audit line), as the README's exit codes say."""

from __future__ import annotations

import pytest

ADMIN = "UADMIN01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--users", "bob@contoso.com,zed@contoso.com", "--assign", "ENTERPRISEPREMIUM"),
            "error: no user 'zed@contoso.com' in customer contoso",
        ),
        (
            ("--users", "bob@contoso.com,alice@contoso.com", "--assign", "NOSUCHSKU", "--revoke", "ENTERPRISEPACK"),
            "error: customer contoso owns no 'NOSUCHSKU'; its products: ENTERPRISEPACK, ENTERPRISEPREMIUM, "
            "MCOMEETADV, STANDARDPACK, VISIOCLIENT",
        ),
    ],
)
def test_unknown_users_and_products_are_bad_input_said_once_and_nothing_is_recorded(
    loaded,  # type: ignore[no-untyped-def]
    args: tuple[str, ...],
    message: str,
) -> None:
    for dry in ((), ("--dry-run",)):
        result = loaded("licenses", "apply", "contoso", *args, "--as", ADMIN, "--key", "k-bad", *dry)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert loaded("audit", "export").output.splitlines()[1:] == []
    # The key was never used: the same key with good input applies.
    bob_e5 = "--users bob@contoso.com --assign ENTERPRISEPREMIUM --key k-bad".split()
    good = loaded("licenses", "apply", "contoso", *bob_e5, "--as", ADMIN)
    assert good.exit_code == 0 and "(already applied" not in good.output
