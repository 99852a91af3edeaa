"""The seed's flow, /licenses to Save: the command, the customer picker, the users page, Manage licenses and its
product pages, the Save and its confirmation. Its listeners are registered by listeners.py."""
