"""`licensebot`: the command line. Exit codes: 0 done, 1 some users failed or invariants broken, 2 bad input.

The top of the house: it may import every other package and none imports it, so a command (the playground's too)
registers here without any lower package knowing the command line exists. One module per command group, each
importing the helpers every command shares from `cli.common`.
"""

from __future__ import annotations

import sys

try:
    import click

    from cli import audit, db, directory, licenses, outbox, serve
    from cli.playground import playground
    from cli.scheduled import scheduled
    from cli.sync import sync
except KeyboardInterrupt:
    # Ctrl-C while the command line loads (over a second on a busy machine) stops it before any command began: exit
    # 130, as a shell reports an interrupted command, without the traceback of whichever import it interrupted.
    sys.exit(130)


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
