"""Stick electrodes and MIG wire."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows

WELDING = [
    Family(
        path=("Welding", "Stick Electrodes"),
        sku="SE-{cls}-{dia}{bc}",
        name="{bp}Stick Electrode {cls}, {dia} mm",
        description="AWS A5.1 {cls} stick electrode, {dia} mm, {use}. Sold by the kilogram in 5 kg cans.",
        dims=(
            rows(
                "cls,use",
                ("E6010", "deep penetration, all positions"),
                ("E6011", "AC/DC all positions"),
                ("E6013", "smooth arc for sheet metal"),
                ("E7018", "low hydrogen for structural steel"),
                ("E7024", "high deposition, flat and horizontal"),
            ),
            opts("dia", "2.5", "3.2", "4.0", "5.0"),
            brands("Lincoln Electric:LIN", "ESAB:ESAB", "Hobart:HOB"),
        ),
        attributes=(("size", "{dia} mm"), ("standard", "AWS {cls}")),
        base_uom="KG",
        units=(UnitSpec("CN", "Can of 5 kg", "5"),),
        min_order_quantity="5",
        order_increment="5",
    ),
    Family(
        path=("Welding", "MIG Welding Wire"),
        sku="MIG-{cls}-{dia}-{sc}{bc}",
        name="{bp}MIG Wire {cls}, {dia} mm, {spool}",
        description="{cls} solid MIG welding wire, {dia} mm, {spool}, layer wound.",
        dims=(
            opts("cls", "ER70S-6", "ER308L", "ER316L", "ER4043", "ER5356"),
            opts("dia", "0.8", "0.9", "1.0", "1.2"),
            rows("sc,spool", ("5", "5 kg Spool"), ("15", "15 kg Spool"), ("250", "250 kg Drum")),
            brands("Lincoln Electric:LIN", "ESAB:ESAB", "Hobart:HOB"),
        ),
        attributes=(("size", "{dia} mm"), ("standard", "AWS {cls}")),
    ),
]
