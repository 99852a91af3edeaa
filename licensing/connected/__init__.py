"""Customers connected to Microsoft 365, whose tenant is the truth: tenants (the values the tenant speaks in),
sync (the mirror brought up to date from the tenant), remote (a save the tenant decides, with no transaction held
while it does) and outcomes (what each user of that save ended with, read back when unsure, recorded after).
Their licenses are bought in Partner Center: partner (its values), orders (Approve = buy, exactly once) and
discover (the partner's customers, `licensebot customers discover`)."""
