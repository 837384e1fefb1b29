"""Casters, rigging, hoists, pallet jacks and shelving."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, brands, opts, rows

MATERIAL_HANDLING = [
    Family(
        path=("Material Handling", "Casters & Wheels", "Casters"),
        sku="CST-{dia}X{wc}-{mc}-{tc}-{pc}{bc}",
        name='{bp}{type} {mount} Caster {dia}" x {width}, {material}',
        description='{type} caster with {dia}" x {width} {material} wheel, {mount}, capacity {capacity}. Sealed precision ball bearings.',
        dims=(
            rows(
                "dia,capacity",
                ("3", "250 lb"),
                ("4", "350 lb"),
                ("5", "450 lb"),
                ("6", "600 lb"),
                ("8", "900 lb"),
                ("10", "1,200 lb"),
            ),
            rows("wc,width", ("125", '1-1/4"'), ("150", '1-1/2"'), ("200", '2"')),
            rows(
                "mc,material",
                ("PU", "Polyurethane on Iron"),
                ("PH", "Phenolic"),
                ("RB", "Soft Rubber"),
                ("NY", "Nylon"),
                ("CI", "Cast Iron"),
            ),
            rows(
                "tc,type",
                ("SW", "Swivel"),
                ("RG", "Rigid"),
                ("SB", "Swivel with Brake"),
                ("TL", "Swivel Total Lock"),
            ),
            rows("pc,mount", ("P", "Top Plate"), ("S", "Threaded Stem")),
            brands("Colson:COL", "Albion:ALB", "Hamilton:HAM", "Jarvis:JAR", "Northwind Pro"),
        ),
        attributes=(("size", "{dia} x {width}"), ("material", "{material}"), ("capacity", "{capacity}")),
    ),
    Family(
        path=("Material Handling", "Lifting & Rigging", "Web Slings"),
        sku="WS-{tc}-{w}X{l}{bc}",
        name='{bp}Polyester Web Sling {type}, {w}" x {l} ft',
        description='Polyester web sling {type}, {w}" wide, {l} ft long, red corner tags. Inspect before each use per ASME B30.9.',
        dims=(
            rows(
                "tc,type",
                ("EE1", "Eye-Eye 1-Ply"),
                ("EE2", "Eye-Eye 2-Ply"),
                ("EN", "Endless"),
                ("TC", "Triangle-Choker"),
            ),
            opts("w", "1", "2", "3", "4", "6"),
            opts("l", "3", "4", "5", "6", "8", "10", "12", "16", "20"),
            brands("Lift-All:LA", "Liftex:LTX", "Northwind Pro"),
        ),
        attributes=(("size", '{w}" x {l} ft'), ("material", "Polyester")),
    ),
    Family(
        path=("Material Handling", "Lifting & Rigging", "Shackles"),
        sku="SHK-{tc}-{wll}-{fc}{bc}",
        name="{bp}{type} Shackle, {wll} t WLL, {finish}",
        description="{type} shackle, working load limit {wll} t, {finish}, forged alloy pin. Proof tested.",
        dims=(
            rows("tc,type", ("BSP", "Bow Screw Pin"), ("ASP", "Anchor Screw Pin"), ("BBT", "Bow Bolt-Type")),
            opts("wll", "0.5", "0.75", "1", "1.5", "2", "3.25", "4.75", "6.5", "8.5", "9.5", "12", "17"),
            rows("fc,finish", ("G", "Galvanized"), ("SC", "Self-Colored")),
            brands("Crosby:CRO", "Columbus McKinnon:CM", "Van Beest:VB"),
        ),
        attributes=(("capacity", "{wll} t"), ("finish", "{finish}"), ("material", "Forged carbon steel")),
    ),
    Family(
        path=("Material Handling", "Lifting & Rigging", "Hoists"),
        sku="HOI-{tc}-{cap}-{lift}{bc}",
        name="{bp}{type} Hoist, {cap} t, {lift} ft Lift",
        description="{type} hoist, capacity {cap} t, {lift} ft of lift, overload protection.",
        dims=(
            rows("tc,type", ("MC", "Manual Chain"), ("LV", "Lever"), ("EL", "Electric Chain")),
            opts("cap", "0.25", "0.5", "1", "2", "3", "5"),
            opts("lift", "10", "15", "20"),
            brands("Columbus McKinnon:CM", "Harrington:HAR", "Yale:YAL", "Northwind Pro"),
        ),
        attributes=(("capacity", "{cap} t"), ("type", "{type}")),
    ),
    Family(
        path=("Material Handling", "Hand Trucks & Pallet Jacks"),
        sku="PJ-{cap}-{fc}{bc}",
        name="{bp}Manual Pallet Jack, {cap} lb, {forks} Forks",
        description="Manual hydraulic pallet jack, {cap} lb capacity, {forks} forks, polyurethane wheels.",
        dims=(
            opts("cap", "4400", "5500", "6600"),
            rows(
                "fc,forks",
                ("2748", '27" x 48"'),
                ("2148", '21" x 48"'),
                ("2736", '27" x 36"'),
                ("2760", '27" x 60"'),
            ),
            brands("Crown:CRN", "Vestil:VES", "Northwind Pro"),
        ),
        attributes=(("capacity", "{cap} lb"), ("size", "{forks}")),
    ),
    Family(
        path=("Material Handling", "Storage & Shelving"),
        sku="SH-{w}{d}{h}-{n}{bc}",
        name='{bp}Steel Shelving Unit {w}" W x {d}" D x {h}" H, {n} Shelves',
        description='Boltless steel shelving, {w}" wide x {d}" deep x {h}" high, {n} adjustable shelves, 800 lb per shelf.',
        dims=(
            opts("w", "36", "48", "60", "72"),
            opts("d", "12", "18", "24", "36"),
            opts("h", "72", "84", "96"),
            opts("n", "4", "5", "6"),
            brands("Tennsco:TEN", "Edsal:EDS", "Northwind Pro"),
        ),
        attributes=(("size", '{w} x {d} x {h}"'), ("material", "Steel")),
    ),
]
