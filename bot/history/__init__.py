"""`/licenses history`: the audit read back, a page at a time."""
