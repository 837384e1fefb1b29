"""Drills, end mills, taps, band saw blades and indexable inserts."""

from __future__ import annotations

from fractions import Fraction

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows, words

TOOL_BRANDS = brands(
    "Guhring:GUH",
    "Dormer:DOR",
    "Chicago-Latrobe:CL",
    "OSG:OSG",
    "Precision Twist:PTD",
    "Kennametal:KEN",
    "Northwind Pro",
)
METRIC_DRILL = opts("dia", *[f"{tenths / 10:.1f}" for tenths in range(10, 131)])
INCH_DRILL = rows("dc,dia", *[(f"{n:02d}64", f'{Fraction(n, 64)}"') for n in range(4, 33)])
DRILL_MATERIAL = rows(
    "mc,material",
    ("HSS", "HSS Bright"),
    ("BO", "HSS Black Oxide"),
    ("TIN", "HSS TiN Coated"),
    ("CO", "HSS-Co M35 Cobalt"),
    ("SC", "Solid Carbide"),
)
INSERT_BRANDS = brands(
    "Sandvik Coromant:SAN", "Kennametal:KEN", "Iscar:ISC", "Seco:SEC", "Mitsubishi:MIT", "Walter:WAL"
)

CUTTING_TOOLS = [
    Family(
        path=("Cutting Tools", "Drilling", "Metric Drill Bits"),
        sku="DR-{sc}-{dia}-{mc}-{pt}{bc}",
        name="{bp}{series} Drill Bit {dia} mm, {material}, {pt}°",
        description="{series} length twist drill {dia} mm, {material}, {pt}° point, straight shank. For steel, cast iron and non-ferrous metals.",
        dims=(
            rows("sc,series", ("JOB", "Jobber"), ("STB", "Stub"), ("LNG", "Long Series")),
            METRIC_DRILL,
            DRILL_MATERIAL,
            opts("pt", "118", "135"),
            TOOL_BRANDS,
        ),
        attributes=(("size", "{dia} mm"), ("material", "{material}"), ("point_angle", "{pt}°")),
    ),
    Family(
        path=("Cutting Tools", "Drilling", "Fractional Drill Bits"),
        sku="DRI-{sc}-{dc}-{mc}-{pt}{bc}",
        name="{bp}{series} Drill Bit {dia}, {material}, {pt}°",
        description="{series} length twist drill {dia}, {material}, {pt}° split point, straight shank.",
        dims=(
            rows("sc,series", ("JOB", "Jobber"), ("STB", "Stub"), ("TPL", "Taper Length")),
            INCH_DRILL,
            DRILL_MATERIAL,
            opts("pt", "118", "135"),
            TOOL_BRANDS,
        ),
        attributes=(("size", "{dia}"), ("material", "{material}"), ("point_angle", "{pt}°")),
    ),
    Family(
        path=("Cutting Tools", "Milling", "Carbide End Mills"),
        sku="EM-{dia}-{fl}F-{lc}-{cc}-{rc}{bc}",
        name="{bp}Carbide End Mill {dia} mm, {fl} Flute, {length}, {coating}, {corner}",
        description="Solid carbide {corner} end mill {dia} mm, {fl} flutes, {length} length of cut, {coating}. For steel, stainless and cast iron.",
        dims=(
            opts("dia", *[f"{half / 2:g}" for half in range(2, 51)]),
            opts("fl", "2", "3", "4", "5"),
            rows("lc,length", ("S", "Stub"), ("R", "Regular"), ("L", "Long")),
            rows(
                "cc,coating",
                ("UN", "Uncoated"),
                ("TIALN", "TiAlN"),
                ("ALTIN", "AlTiN"),
                ("ZRN", "ZrN"),
                ("DLC", "DLC"),
            ),
            rows("rc,corner", ("SQ", "Square End"), ("BN", "Ball Nose"), ("CR", "Corner Radius 0.5")),
            brands(
                "Harvey Tool:HAR",
                "Kennametal:KEN",
                "OSG:OSG",
                "Sandvik Coromant:SAN",
                "Helical:HEL",
                "Guhring:GUH",
                "Northwind Pro",
            ),
        ),
        attributes=(
            ("size", "{dia} mm"),
            ("flutes", "{fl}"),
            ("coating", "{coating}"),
            ("material", "Solid carbide"),
        ),
    ),
    Family(
        path=("Cutting Tools", "Threading", "Metric Taps"),
        sku="TAP-{thread}-{tc}-{mc}{bc}",
        name="{bp}{type} Tap {threadname}, {material}",
        description="{type} machine tap {threadname}, {material}, 6H tolerance, DIN 371/376.",
        dims=(
            rows(
                "thread,threadname",
                *[
                    (t, t.replace("X", " x "))
                    for t in words(
                        "M2X0.4 M2.5X0.45 M3X0.5 M4X0.7 M5X0.8 M6X1 M8X1.25 M10X1.5 M12X1.75 M14X2 M16X2 M18X2.5 M20X2.5 M22X2.5 M24X3 M6X0.75 M8X1 M10X1.25 M10X1 M12X1.5 M12X1.25 M14X1.5 M16X1.5 M18X1.5 M20X1.5"
                    )
                ],
            ),
            rows(
                "tc,type",
                ("SP", "Spiral Point"),
                ("SF", "Spiral Flute"),
                ("HP", "Hand Plug"),
                ("HB", "Hand Bottoming"),
                ("FRM", "Thread Forming"),
            ),
            rows(
                "mc,material",
                ("HSS", "HSS"),
                ("HSSE", "HSS-E"),
                ("TIN", "HSS-E TiN"),
                ("PM", "Powdered Metal TiCN"),
            ),
            TOOL_BRANDS,
        ),
        attributes=(("size", "{threadname}"), ("material", "{material}")),
    ),
    Family(
        path=("Cutting Tools", "Threading", "Inch Taps"),
        sku="TAPI-{tc2}-{tc}-{mc}{bc}",
        name="{bp}{type} Tap {thread}, {material}",
        description="{type} machine tap {thread}, {material}, H3 limit.",
        dims=(
            rows(
                "tc2,thread",
                *[
                    (t.replace("#", "N").replace("/", "").replace("-", "X"), t)
                    for t in words(
                        "#4-40 #6-32 #8-32 #10-24 #10-32 1/4-20 1/4-28 5/16-18 5/16-24 3/8-16 3/8-24 1/2-13 1/2-20 5/8-11 3/4-10"
                    )
                ],
            ),
            rows(
                "tc,type",
                ("SP", "Spiral Point"),
                ("SF", "Spiral Flute"),
                ("HP", "Hand Plug"),
                ("HB", "Hand Bottoming"),
                ("FRM", "Thread Forming"),
            ),
            rows(
                "mc,material",
                ("HSS", "HSS"),
                ("HSSE", "HSS-E"),
                ("TIN", "HSS-E TiN"),
                ("PM", "Powdered Metal TiCN"),
            ),
            TOOL_BRANDS,
        ),
        attributes=(("size", "{thread}"), ("material", "{material}")),
    ),
    Family(
        path=("Cutting Tools", "Saw Blades", "Band Saw Blades"),
        sku="BSB-{lc}-{wc}-{tpi}-{mc}{bc}",
        name="{bp}Band Saw Blade {length} x {width}, {tpin} TPI, {material}",
        description="{material} band saw blade {length} long x {width} wide, {tpin} variable pitch. For structural steel, tubing and solids.",
        dims=(
            rows(
                "lc,length",
                ("6450", '64-1/2"'),
                ("9350", '93-1/2"'),
                ("142", '142"'),
                ("150", '150"'),
                ("164", '164"'),
                ("187", '187"'),
            ),
            rows("wc,width", ("050", '1/2"'), ("075", '3/4"'), ("100", '1"'), ("125", '1-1/4"')),
            rows(
                "tpi,tpin",
                ("46", "4/6"),
                ("58", "5/8"),
                ("610", "6/10"),
                ("812", "8/12"),
                ("1014", "10/14"),
                ("1418", "14/18"),
            ),
            rows("mc,material", ("M42", "Bi-Metal M42"), ("CT", "Carbide Tipped")),
            brands("Lenox:LEN", "Starrett:STA", "Morse:MOR"),
        ),
        attributes=(("size", "{length} x {width}"), ("material", "{material}"), ("teeth_per_inch", "{tpin}")),
    ),
    Family(
        path=("Cutting Tools", "Indexable Inserts"),
        sku="INS-{shape}{size}{r}-{cb}-{grade}{bc}",
        name="{bp}Turning Insert {shape} {size}{r}-{cb}, Grade {grade}",
        description="{shape} {size}{r} indexable turning insert, {cbname} chipbreaker, grade {grade} ({gradename}). Box of 10.",
        dims=(
            opts("shape", "CNMG", "DNMG", "WNMG", "TNMG", "VNMG", "SNMG", "CCMT", "DCMT"),
            opts("size", "0903", "1204", "1606"),
            opts("r", "04", "08", "12"),
            rows(
                "cb,cbname",
                ("PF", "finishing"),
                ("PM", "medium machining"),
                ("PR", "roughing"),
                ("MF", "stainless finishing"),
            ),
            rows(
                "grade,gradename",
                ("P10C", "CVD, steel finishing"),
                ("P25C", "CVD, steel general"),
                ("P35C", "CVD, steel roughing"),
                ("M25P", "PVD, stainless"),
                ("M40P", "PVD, stainless tough"),
                ("K15C", "CVD, cast iron"),
                ("K20C", "CVD, cast iron general"),
                ("S15P", "PVD, heat-resistant alloys"),
                ("N10U", "uncoated, aluminum"),
                ("H10P", "PVD, hardened steel"),
            ),
            INSERT_BRANDS,
        ),
        attributes=(("size", "{shape} {size}{r}"), ("grade", "{grade}"), ("material", "Cemented carbide")),
        units=(UnitSpec("BX", "Box of 10", "10"),),
        min_order_quantity="10",
        order_increment="10",
    ),
]
