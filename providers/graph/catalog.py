"""Microsoft's product names table (licensing/data, shared with the domain's service plans): skuId or
skuPartNumber → the name admins know."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from providers.graph.ids import SkuId


@dataclass(frozen=True)
class Product:
    sku_id: SkuId
    part_number: str
    name: str


@dataclass
class Catalog:
    by_id: dict[SkuId, Product] = field(default_factory=dict)
    by_part_number: dict[str, Product] = field(default_factory=dict)
    plans_by_sku: dict[SkuId, frozenset[str]] = field(default_factory=dict)

    def name(self, *, sku_id: SkuId | None = None, part_number: str | None = None) -> str:
        """The display name; falls back to the part number (Graph always gives one) when Microsoft lists none."""
        found = self.by_id.get(SkuId((sku_id or "").lower())) or self.by_part_number.get((part_number or "").upper())
        return found.name if found else (part_number or sku_id or "")

    def plans(self, sku_id: SkuId) -> frozenset[str]:
        """Service plan ids inside a product (empty when unknown)."""
        return self.plans_by_sku.get(SkuId(sku_id.lower()), frozenset())


def parse(products_csv: str, plans_csv: str = "") -> Catalog:
    """Reads our normalised files, or Microsoft's raw CSV (one row per product and plan) as products_csv."""
    catalog = Catalog()
    plans: dict[SkuId, set[str]] = {}
    for row in csv.DictReader(io.StringIO(products_csv.lstrip("\ufeff"))):
        raw = "GUID" in row  # Microsoft's own column names
        sku_id = SkuId((row["GUID"] if raw else row["sku_id"]).strip().lower())
        part = (row["String_Id"] if raw else row["sku_part_number"]).strip()
        name = (row["Product_Display_Name"] if raw else row["display_name"]).strip()
        product = Product(sku_id, part, name)
        catalog.by_id.setdefault(sku_id, product)
        # One part number can have a commercial and a government GUID; the first listed wins for names.
        catalog.by_part_number.setdefault(part.upper(), product)
        if raw and row.get("Service_Plan_Id"):
            plans.setdefault(sku_id, set()).add(row["Service_Plan_Id"].strip().lower())
    for row in csv.DictReader(io.StringIO(plans_csv.lstrip("\ufeff"))):
        plans.setdefault(SkuId(row["sku_id"].strip().lower()), set()).add(row["service_plan_id"].strip().lower())
    catalog.plans_by_sku = {k: frozenset(v) for k, v in plans.items()}
    return catalog


@cache
def default_catalog() -> Catalog:
    data = resources.files("licensing") / "data"
    products = (data / "microsoft-products.csv").read_text(encoding="utf-8")
    plans_file = data / "microsoft-service-plans.csv"
    plans = plans_file.read_text(encoding="utf-8") if plans_file.is_file() else ""
    return parse(products, plans)
