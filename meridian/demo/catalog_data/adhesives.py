"""Threadlockers, sealants, tapes and epoxies."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows

ADHESIVES = [
    Family(
        path=("Adhesives & Sealants", "Threadlockers"),
        sku="TL-{sc}-{vol}{bc}",
        name="{bp}Threadlocker {strength}, {vol} mL",
        description="Anaerobic threadlocker, {strength}, {vol} mL bottle. Prevents loosening from vibration; {note}.",
        dims=(
            rows(
                "sc,strength,note",
                ("222", "Low Strength Purple", "for small screws and adjustment screws"),
                ("243", "Medium Strength Blue", "removable with hand tools, oil tolerant"),
                ("263", "High Strength Red", "permanent, for studs and heavy-duty bolts"),
                ("290", "Wicking Green", "penetrates pre-assembled fasteners"),
                ("272", "High Temperature Red", "up to 232 °C"),
            ),
            opts("vol", "10", "50", "250"),
            brands("Loctite:LOC", "Permatex:PTX", "Vibra-Tite:VT", "Northwind Pro"),
        ),
        attributes=(("volume", "{vol} mL"), ("strength", "{strength}")),
    ),
    Family(
        path=("Adhesives & Sealants", "Sealants & Caulks"),
        sku="SLT-{tc}-{cc}-{pc}{bc}",
        name="{bp}{type} Sealant, {color}, {pack}",
        description="{type} sealant, {color}, {pack}. Bonds and seals metal, glass, plastics and masonry.",
        dims=(
            rows(
                "tc,type",
                ("RTV", "100% Silicone RTV"),
                ("HT", "High-Temp Red RTV"),
                ("HYB", "Hybrid Polymer"),
                ("PU", "Polyurethane"),
            ),
            rows(
                "cc,color",
                ("CL", "Clear"),
                ("WH", "White"),
                ("BK", "Black"),
                ("GY", "Gray"),
                ("AL", "Aluminum"),
            ),
            rows("pc,pack", ("C10", "10.1 oz Cartridge"), ("T3", "3 oz Tube"), ("S20", "20 oz Sausage")),
            brands("DOWSIL:DOW", "GE:GE", "Sika:SIK", "Permatex:PTX"),
        ),
        attributes=(("color", "{color}"), ("package", "{pack}")),
        units=(UnitSpec("CS", "Case of 12", "12"),),
        min_order_quantity="12",
        order_increment="12",
    ),
    Family(
        path=("Adhesives & Sealants", "Tapes"),
        sku="TP-{tc}-{wc}-{cc}{bc}",
        name="{bp}{type} Tape {width} x {length}, {color}",
        description="{type} tape, {width} wide x {length}, {color}. Case of 24 rolls.",
        dims=(
            rows(
                "tc,type,length",
                ("DT", "Duct", "60 yd"),
                ("EV", "Vinyl Electrical", "66 ft"),
                ("MSK", "Masking", "60 yd"),
                ("DCF", "Double-Coated Foam", "5 yd"),
                ("VHB", "VHB Acrylic Foam", "5 yd"),
                ("AF", "Aluminum Foil", "50 yd"),
                ("FM", "Floor Marking", "36 yd"),
            ),
            rows(
                "wc,width",
                ("050", '1/2"'),
                ("075", '3/4"'),
                ("100", '1"'),
                ("200", '2"'),
                ("300", '3"'),
                ("400", '4"'),
            ),
            rows("cc,color", ("BK", "Black"), ("WH", "White"), ("YL", "Yellow"), ("SL", "Silver")),
            brands("3M:3M", "Intertape:IPG", "Shurtape:SHU", "tesa:TES"),
        ),
        attributes=(("size", "{width} x {length}"), ("color", "{color}")),
        units=(UnitSpec("CS", "Case of 24", "24"),),
    ),
    Family(
        path=("Adhesives & Sealants", "Epoxies & Structural Adhesives"),
        sku="EPX-{tc}-{pc}{bc}",
        name="{bp}{type} Epoxy, {pack}",
        description="Two-part {type} epoxy adhesive, {pack}. Bonds metal, wood, ceramics and most plastics.",
        dims=(
            rows(
                "tc,type",
                ("5M", "5-Minute Clear"),
                ("30M", "30-Minute Structural"),
                ("STL", "Steel-Filled"),
                ("MMA", "Methacrylate"),
            ),
            rows(
                "pc,pack",
                ("S25", "25 mL Syringe"),
                ("C50", "50 mL Dual Cartridge"),
                ("C400", "400 mL Dual Cartridge"),
            ),
            brands("Loctite:LOC", "3M Scotch-Weld:3M", "J-B Weld:JBW", "Devcon:DEV", "Northwind Pro"),
        ),
        attributes=(("package", "{pack}"), ("type", "{type}")),
    ),
]
