"""Graph's product id, typed apart from the domain's product name.

licensebot names a product by its skuPartNumber ("ENTERPRISEPACK": `sku` in licensing); Graph addresses it by a
GUID, the skuId. Both are strings, so the type checker keeps them from being swapped. Always lower case.
"""

from __future__ import annotations

from typing import NewType

SkuId = NewType("SkuId", str)
