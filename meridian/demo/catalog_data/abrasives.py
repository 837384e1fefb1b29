"""Cut-off wheels, flap discs, grinding wheels, belts and discs."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows

ABRASIVE_BRANDS = brands("Norton:NOR", "3M:3M", "Walter:WAL", "Pferd:PF", "Weiler:WEI")
ABRASIVE = rows(
    "ac,abrasive",
    ("AO", "Aluminum Oxide"),
    ("ZA", "Zirconia Alumina"),
    ("CER", "Ceramic"),
    ("SC", "Silicon Carbide"),
)

ABRASIVES = [
    Family(
        path=("Abrasives", "Grinding & Cut-Off Wheels", "Cut-Off Wheels"),
        sku="COW-{dc}X{tc}-{ac}-T{type}{bc}",
        name='{bp}Cut-Off Wheel {dia} x {thick} x 7/8", {abrasive}, Type {type}',
        description='Type {type} cut-off wheel {dia} x {thick} x 7/8" arbor, {abrasive}, for steel and stainless. Box of 25.',
        dims=(
            rows(
                "dc,dia", ("45", '4-1/2"'), ("5", '5"'), ("6", '6"'), ("7", '7"'), ("9", '9"'), ("14", '14"')
            ),
            rows(
                "tc,thick",
                ("040", '.040"'),
                ("045", '.045"'),
                ("063", '1/16"'),
                ("094", '3/32"'),
                ("125", '1/8"'),
            ),
            ABRASIVE,
            opts("type", "1", "27"),
            ABRASIVE_BRANDS,
        ),
        attributes=(("size", "{dia} x {thick}"), ("material", "{abrasive}")),
        units=(UnitSpec("BX", "Box of 25", "25"),),
    ),
    Family(
        path=("Abrasives", "Grinding & Cut-Off Wheels", "Flap Discs"),
        sku="FD-{dc}-{grit}-{ac}-T{type}-{bkc}{bc}",
        name='{bp}Flap Disc {dia} x 7/8", {grit} Grit, {abrasive}, Type {type}',
        description="Type {type} flap disc {dia}, {grit} grit {abrasive}, {backing} backing. Grinds and finishes in one step. Box of 10.",
        dims=(
            rows("dc,dia", ("45", '4-1/2"'), ("5", '5"'), ("7", '7"')),
            opts("grit", "36", "40", "60", "80", "120"),
            rows("ac,abrasive", ("ZA", "Zirconia Alumina"), ("CER", "Ceramic"), ("AO", "Aluminum Oxide")),
            opts("type", "27", "29"),
            rows("bkc,backing", ("FG", "fiberglass"), ("PL", "plastic")),
            ABRASIVE_BRANDS,
        ),
        attributes=(("size", "{dia}"), ("grit", "{grit}"), ("material", "{abrasive}")),
        units=(UnitSpec("BX", "Box of 10", "10"),),
    ),
    Family(
        path=("Abrasives", "Grinding & Cut-Off Wheels", "Depressed Center Grinding Wheels"),
        sku="GW-{dc}X{tc}-{grit}-{ac}{bc}",
        name='{bp}Grinding Wheel {dia} x {thick} x 7/8", {grit} Grit, {abrasive}',
        description="Type 27 depressed center grinding wheel {dia} x {thick}, {grit} grit {abrasive}, for weld removal and heavy grinding.",
        dims=(
            rows("dc,dia", ("45", '4-1/2"'), ("5", '5"'), ("7", '7"'), ("9", '9"')),
            rows("tc,thick", ("125", '1/8"'), ("250", '1/4"')),
            opts("grit", "24", "36"),
            rows("ac,abrasive", ("AO", "Aluminum Oxide"), ("ZA", "Zirconia Alumina"), ("CER", "Ceramic")),
            ABRASIVE_BRANDS,
        ),
        attributes=(("size", "{dia} x {thick}"), ("grit", "{grit}"), ("material", "{abrasive}")),
        units=(UnitSpec("BX", "Box of 10", "10"),),
    ),
    Family(
        path=("Abrasives", "Coated Abrasives", "Sanding Belts"),
        sku="SB-{sc}-{grit}-{ac}{bc}",
        name="{bp}Sanding Belt {size}, {grit} Grit, {abrasive}",
        description="Cloth-backed sanding belt {size}, {grit} grit {abrasive}, bi-directional splice. Pack of 10.",
        dims=(
            rows(
                "sc,size",
                ("1X30", '1" x 30"'),
                ("1X42", '1" x 42"'),
                ("2X48", '2" x 48"'),
                ("2X72", '2" x 72"'),
                ("3X21", '3" x 21"'),
                ("4X24", '4" x 24"'),
                ("6X48", '6" x 48"'),
            ),
            opts("grit", "36", "40", "50", "60", "80", "100", "120", "150", "180", "220"),
            ABRASIVE,
            ABRASIVE_BRANDS,
        ),
        attributes=(("size", "{size}"), ("grit", "{grit}"), ("material", "{abrasive}")),
        units=(UnitSpec("PK", "Pack of 10", "10"),),
    ),
    Family(
        path=("Abrasives", "Coated Abrasives", "Sanding Discs"),
        sku="SD-{dia}-{ac2}-{grit}-{hc}{bc}",
        name='{bp}Sanding Disc {dia}", {attach}, {grit} Grit, {holes}',
        description='{attach} sanding disc {dia}", {grit} grit aluminum oxide, {holes}. Box of 50.',
        dims=(
            opts("dia", "5", "6"),
            rows("ac2,attach", ("PSA", "PSA"), ("HL", "Hook & Loop")),
            opts("grit", "40", "60", "80", "100", "120", "150", "180", "220", "320", "400"),
            rows("hc,holes", ("NH", "No Holes"), ("8H", "8 Dust Holes")),
            brands("3M:3M", "Norton:NOR", "Mirka:MIR", "Northwind Pro"),
        ),
        attributes=(("size", '{dia}"'), ("grit", "{grit}"), ("material", "Aluminum oxide")),
        units=(UnitSpec("BX", "Box of 50", "50"),),
    ),
]
