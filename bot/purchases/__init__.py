"""Buy more: the form (from Manage licenses or a low-license alert), the request posted to the sales channel, and
its Approve and Decline."""
