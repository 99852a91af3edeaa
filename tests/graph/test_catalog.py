from __future__ import annotations

from providers.graph.catalog import default_catalog, parse

RAW = (
    "\ufeffProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n"
    "Office 365 E1,STANDARDPACK,18181A46-0D4E-45CD-891E-60AABD171B4E,TEAMS1,57ff2da0-773e-42df-b2af-ffb7a2317929,T\n"
    "Office 365 E1,STANDARDPACK,18181A46-0D4E-45CD-891E-60AABD171B4E,SWAY,a23b959c-7ce8-4e57-9140-b90eb88a9e97,Sway\n"
)


def test_names_come_from_the_shipped_table_by_id_or_part_number() -> None:
    catalog = default_catalog()
    assert catalog.name(sku_id="6FD2C87F-B296-42F0-B197-1E91E994B900") == "Office 365 E3"
    assert catalog.name(part_number="spe_e5") == "Microsoft 365 E5"
    assert catalog.name(sku_id="00000000-0000-0000-0000-000000000000", part_number="NEW_THING") == "NEW_THING"
    assert "176a09a6-7ec5-4039-ac02-b2791c6ba793" in catalog.plans("ee02fd1b-340e-4a4b-b355-4a514e4c8943")


def test_microsofts_raw_csv_can_replace_the_shipped_one() -> None:
    catalog = parse(RAW)
    assert catalog.name(part_number="STANDARDPACK") == "Office 365 E1"
    assert len(catalog.plans("18181a46-0d4e-45cd-891e-60aabd171b4e")) == 2
