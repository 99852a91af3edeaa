"""Partner Center's REST API: the partner's customers and their subscriptions' quantities (ports.PartnerCenter)."""

from providers.partner_center.client import PartnerCenterClient
from providers.partner_center.config import DEFAULT_PARTNER_CENTER_URL, PARTNER_CENTER_SCOPE

__all__ = ["DEFAULT_PARTNER_CENTER_URL", "PARTNER_CENTER_SCOPE", "PartnerCenterClient"]
