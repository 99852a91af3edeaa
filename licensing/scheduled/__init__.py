"""Starts on / Ends on: schedule (planning the days, saving, listing and cancelling changes to run later) and runs
(running the due ones, each claimed by one replica under a lease, through the same Save as the modal's)."""
