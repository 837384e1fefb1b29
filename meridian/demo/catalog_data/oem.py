"""Precision components made to print: hidden by default, visible to the OEM customer group."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows

OEM = [
    Family(
        path=("OEM Components", "Shoulder Screws"),
        sku="OEM-SHS-{d}X{l}-{mc}{bc}",
        name="{bp}Precision Shoulder Screw {d} x {l} mm, {material}",
        description="Precision ground shoulder screw, shoulder {d} mm h8 x {l} mm, {material}. Made to print for OEM assemblies.",
        dims=(
            opts("d", "6", "8", "10", "12", "16", "20"),
            opts("l", "10", "12", "16", "20", "25", "30", "40", "50", "60", "80"),
            rows("mc,material", ("AS", "Alloy Steel 12.9"), ("SS", "416 Stainless Steel")),
            brands("Northwind Pro", "Misumi:MIS"),
        ),
        attributes=(("size", "{d} x {l} mm"), ("material", "{material}")),
    ),
    Family(
        path=("OEM Components", "Dowel Pins"),
        sku="OEM-DP-{d}X{l}-{mc}{bc}",
        name="{bp}Dowel Pin {d} x {l} mm, {material}",
        description="Hardened and ground dowel pin {d} m6 x {l} mm to ISO 8734, {material}.",
        dims=(
            opts("d", "2", "3", "4", "5", "6", "8", "10", "12", "16", "20"),
            opts("l", "6", "8", "10", "12", "16", "20", "24", "30", "40", "50"),
            rows("mc,material", ("HS", "Hardened Alloy Steel"), ("SS", "303 Stainless Steel")),
            brands("Northwind Pro", "Misumi:MIS"),
        ),
        attributes=(("size", "{d} x {l} mm"), ("material", "{material}")),
        units=(UnitSpec("PK", "Pack of 25", "25"),),
    ),
]
