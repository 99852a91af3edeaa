"""The licensing service: products, entitlements, rules and the use cases the bot and the CLI call.

It imports no Slack and no SQLAlchemy code; storage comes in through the ports in `licensing.ports`.
"""
