"""`licensebot`: the command line. Exit codes: 0 done, 1 some users failed or invariants broken, 2 bad input.

One module per command group, each importing the helpers every command shares from `bot.cli.common`.
"""

from __future__ import annotations

import click

from bot.cli import audit, db, directory, licenses, outbox, serve
from bot.cli_scheduled import scheduled
from bot.cli_sync import sync
from playground.command import playground


@click.group()
def main() -> None:
    """Assign and revoke your customers' product licenses, many users at once."""


main.add_command(db.db)
main.add_command(directory.import_)
main.add_command(directory.check)
main.add_command(directory.customers)
main.add_command(directory.users)
main.add_command(licenses.licenses)
main.add_command(outbox.outbox)
main.add_command(audit.audit)  # `licensebot audit export`: the audit as CSV
main.add_command(serve.serve)
main.add_command(serve.worker)
main.add_command(playground)  # `licensebot playground`: the bot in a browser with a stand-in for Slack
main.add_command(sync)  # `licensebot sync`: read connected customers' tenants into the mirror
main.add_command(scheduled)  # `licensebot scheduled run`: run the scheduled changes due now
