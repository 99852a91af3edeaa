"""An audit line's action and outcome in words, as history and the App Home say them: "Assign Office 365 E5",
"Buy more Visio Plan 2", "3 more declined: Budget frozen"; never the stored codes (`buy_more`, `set_location:FR`)."""

from __future__ import annotations

from blocks.text import escape, fit_escaped, one_line

PRODUCT_MAX = 200

VERBS = {
    "assign": "Assign",
    "revoke": "Revoke",
    "buy_more": "Buy more",
    "quantity": "Set owned quantity of",
    "none": "No change",
    "scheduled": "Scheduled change",
}


def action_words(action: str, product: str | None, service: str | None = None) -> str:
    """Escaped mrkdwn: what was done, to which product; a service line says its service in words (`service`, from
    licensing.audit.service_text): "Microsoft Teams off in Office 365 E3"."""
    if service:
        return " in ".join(filter(None, (fit_escaped(service, PRODUCT_MAX), fit_escaped(product or "", PRODUCT_MAX))))
    if action.startswith("set_location:"):
        country = action.partition(":")[2]
        return f"Set usage location {escape(country)}" if country else "Clear usage location"
    name = fit_escaped(product, PRODUCT_MAX) if product else ""
    return " ".join(filter(None, (VERBS.get(action) or escape(action.replace("_", " ")), name)))


def outcome_words(outcome: str, reason: str | None, reason_max: int) -> str:
    """Escaped mrkdwn: "failed: why"; a reason that already says the outcome ("3 more declined: …") is said alone."""
    if not reason:
        return escape(outcome)
    said = fit_escaped(one_line(reason), reason_max)
    return said if outcome in reason.split(":")[0].split() else f"{escape(outcome)}: {said}"
