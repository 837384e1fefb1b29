"""Bearings, belts, chain and sprockets, couplings."""

from __future__ import annotations

from meridian.demo.catalog_data import Family, UnitSpec, brands, opts, rows

BEARING = rows(
    "code,bore,od,width",
    *[
        (f"60{n:02d}", b, o, w)
        for n, (b, o, w) in enumerate(
            [
                ("10", "26", "8"),
                ("12", "28", "8"),
                ("15", "32", "9"),
                ("17", "35", "10"),
                ("20", "42", "12"),
                ("25", "47", "12"),
                ("30", "55", "13"),
                ("35", "62", "14"),
                ("40", "68", "15"),
                ("45", "75", "16"),
                ("50", "80", "16"),
                ("55", "90", "18"),
                ("60", "95", "18"),
            ]
        )
    ],
    *[
        (f"62{n:02d}", b, o, w)
        for n, (b, o, w) in enumerate(
            [
                ("10", "30", "9"),
                ("12", "32", "10"),
                ("15", "35", "11"),
                ("17", "40", "12"),
                ("20", "47", "14"),
                ("25", "52", "15"),
                ("30", "62", "16"),
                ("35", "72", "17"),
                ("40", "80", "18"),
                ("45", "85", "19"),
                ("50", "90", "20"),
                ("55", "100", "21"),
                ("60", "110", "22"),
                ("65", "120", "23"),
                ("70", "125", "24"),
                ("75", "130", "25"),
            ]
        )
    ],
    *[
        (f"63{n:02d}", b, o, w)
        for n, (b, o, w) in enumerate(
            [
                ("10", "35", "11"),
                ("12", "37", "12"),
                ("15", "42", "13"),
                ("17", "47", "14"),
                ("20", "52", "15"),
                ("25", "62", "17"),
                ("30", "72", "19"),
                ("35", "80", "21"),
                ("40", "90", "23"),
                ("45", "100", "25"),
                ("50", "110", "27"),
                ("55", "120", "29"),
                ("60", "130", "31"),
            ]
        )
    ],
)
CHAIN_SIZES = opts("chain", "25", "35", "40", "41", "50", "60", "80")

POWER_TRANSMISSION = [
    Family(
        path=("Power Transmission", "Bearings", "Ball Bearings"),
        sku="BRG-{code}{seal}{clr}{bc}",
        name="{bp}Deep Groove Ball Bearing {code}{seal}{clr}, {bore} x {od} x {width} mm",
        description=(
            "Single row deep groove ball bearing {code}{seal}, {closure}, {clearance} internal clearance. "
            "Bore {bore} mm, outside diameter {od} mm, width {width} mm. Pre-lubricated for electric motors, "
            "pumps, gearboxes and conveyors."
        ),
        dims=(
            BEARING,
            rows(
                "seal,closure",
                ("", "open"),
                ("-ZZ", "metal shields both sides"),
                ("-2RS", "rubber seals both sides"),
            ),
            rows("clr,clearance", ("", "normal (CN)"), ("-C3", "C3")),
            brands(
                "SKF:SKF",
                "NSK:NSK",
                "Timken:TIM",
                "FAG:FAG",
                "NTN:NTN",
                "Koyo:KOY",
                "Nachi:NAC",
                "Northwind Pro",
            ),
        ),
        attributes=(
            ("size", "{bore} x {od} x {width} mm"),
            ("bore", "{bore} mm"),
            ("closure", "{closure}"),
            ("clearance", "{clearance}"),
            ("material", "Chrome steel 52100"),
        ),
    ),
    Family(
        path=("Power Transmission", "Bearings", "Mounted Bearings"),
        sku="MB-{hc}{insert}-{borec}{bc}",
        name="{bp}{housing} Bearing {hc}{insert}, {bore} Bore",
        description="{housing} mounted ball bearing unit {hc}{insert} with set-screw locking, cast iron housing, {bore} bore. Relubricatable.",
        dims=(
            rows(
                "hc,housing",
                ("UCP", "Pillow Block"),
                ("UCF", "4-Bolt Flange"),
                ("UCFL", "2-Bolt Flange"),
                ("UCT", "Take-Up"),
                ("UCFC", "Piloted Flange Cartridge"),
            ),
            rows(
                "insert,mm,inch",
                ("204", "20", '3/4"'),
                ("205", "25", '1"'),
                ("206", "30", '1-3/16"'),
                ("207", "35", '1-7/16"'),
                ("208", "40", '1-1/2"'),
                ("209", "45", '1-3/4"'),
                ("210", "50", '1-15/16"'),
                ("211", "55", '2"'),
                ("212", "60", '2-3/16"'),
            ),
            rows("borec,bore", ("MM", "metric"), ("IN", "inch")),
            brands("Dodge:DOD", "SealMaster:SM", "Browning:BRW", "NTN:NTN", "Northwind Pro"),
        ),
        attributes=(("material", "Cast iron housing"), ("size", "{insert}"), ("mounting", "{housing}")),
    ),
    Family(
        path=("Power Transmission", "Belts", "V-Belts"),
        sku="VB-{section}{length}{bc}",
        name="{bp}Classical V-Belt {section}{length}",
        description='{kind} classical V-belt, section {section} ({top} top width), {length}" inside length. Oil and heat resistant.',
        dims=(
            rows(
                "section,top,kind",
                ("A", '1/2"', "Wrapped"),
                ("B", '21/32"', "Wrapped"),
                ("C", '7/8"', "Wrapped"),
                ("AX", '1/2"', "Cogged"),
                ("BX", '21/32"', "Cogged"),
                ("CX", '7/8"', "Cogged"),
            ),
            opts("length", *[str(n) for n in range(26, 122, 2)]),
            brands("Gates:GT", "Continental:CON", "Browning:BRW", "Optibelt:OPT", "Dayco:DAY"),
        ),
        attributes=(("size", "{section}{length}"), ("material", "Rubber with polyester cord")),
    ),
    Family(
        path=("Power Transmission", "Belts", "Fractional HP V-Belts"),
        sku="VB-{section}{length}0{bc}",
        name="{bp}Fractional HP V-Belt {section}{length}0",
        description='Light duty V-belt {section}{length}0 for fractional horsepower drives, {length}" outside length.',
        dims=(
            opts("section", "3L", "4L", "5L"),
            opts("length", *[str(n) for n in range(20, 101)]),
            brands("Gates:GT", "Browning:BRW", "Dayco:DAY", "Continental:CON", "Northwind Pro"),
        ),
        attributes=(("size", "{section}{length}0"), ("material", "Rubber")),
    ),
    Family(
        path=("Power Transmission", "Chain & Sprockets", "Roller Chain"),
        sku="RC-{chain}-{strand}-{tc}{bc}",
        name="{bp}ANSI {chain} Roller Chain, {strands}, {kind}, 10 ft",
        description="ANSI {chain} {kind} roller chain, {strands}, 10 ft box with one connecting link. Pre-lubricated.",
        dims=(
            opts("chain", "25", "35", "40", "41", "50", "60", "80", "100", "120", "140"),
            rows("strand,strands", ("1R", "Single Strand"), ("2R", "Double Strand"), ("3R", "Triple Strand")),
            rows(
                "tc,kind",
                ("RIV", "Riveted"),
                ("COT", "Cottered"),
                ("SS", "Stainless Steel"),
                ("NP", "Nickel-Plated"),
                ("OR", "O-Ring Sealed"),
            ),
            brands("Tsubaki:TSU", "Renold:REN", "Rexnord:REX", "Diamond:DIA", "Northwind Pro"),
        ),
        attributes=(("size", "ANSI {chain}"), ("strands", "{strands}"), ("material", "{kind}")),
        base_uom="FT",
        units=(UnitSpec("BX", "Box of 10 ft", "10"),),
        min_order_quantity="10",
        order_increment="10",
    ),
    Family(
        path=("Power Transmission", "Chain & Sprockets", "Sprockets"),
        sku="SPR-{chain}{hc}{teeth}{bc}",
        name="{bp}Sprocket {chain}{hc}{teeth}, {teeth} Teeth, {hub}",
        description="Roller chain sprocket for ANSI {chain} chain, {teeth} teeth, {hub}, steel, hardened teeth.",
        dims=(
            CHAIN_SIZES,
            rows(
                "hc,hub",
                ("A", "Plate (Type A)"),
                ("B", "Hub (Type B)"),
                ("BS", "Finished Bore"),
                ("TB", "Taper-Lock"),
                ("Q", "QD Bushed"),
            ),
            opts("teeth", *[str(n) for n in [*range(9, 31), 32, 35, 36, 40, 45, 48, 54, 60]]),
            brands("Martin:MAR", "Browning:BRW", "Tsubaki:TSU", "Northwind Pro"),
        ),
        attributes=(("size", "ANSI {chain}"), ("teeth", "{teeth}"), ("hub", "{hub}"), ("material", "Steel")),
    ),
    Family(
        path=("Power Transmission", "Couplings", "Jaw Coupling Hubs"),
        sku="JC-{size}-{borec}{kc}{bc}",
        name="{bp}Jaw Coupling Hub {size}, {bore} Bore{keyway}",
        description="Jaw type flexible coupling hub {size}, sintered iron, {bore} bore{keyway}. Pair with a spider of the same size.",
        dims=(
            opts("size", "L035", "L050", "L070", "L075", "L090", "L095", "L100", "L110", "L150", "L190"),
            rows(
                "borec,bore",
                ("050", '1/2"'),
                ("063", '5/8"'),
                ("075", '3/4"'),
                ("088", '7/8"'),
                ("100", '1"'),
                ("113", '1-1/8"'),
                ("125", '1-1/4"'),
                ("138", '1-3/8"'),
                ("150", '1-1/2"'),
                ("163", '1-5/8"'),
            ),
            rows("kc,keyway", ("", ""), ("K", " with Keyway")),
            brands("Lovejoy:LJ", "Martin:MAR", "Boston Gear:BG", "Northwind Pro"),
        ),
        attributes=(("size", "{size}"), ("bore", "{bore}"), ("material", "Sintered iron")),
    ),
    Family(
        path=("Power Transmission", "Couplings", "Coupling Spiders"),
        sku="JCS-{size}-{mc}{bc}",
        name="{bp}Jaw Coupling Spider {size}, {material}",
        description="Elastomer spider for {size} jaw couplings, {material}, {note}.",
        dims=(
            opts("size", "L035", "L050", "L070", "L075", "L090", "L095", "L100", "L110", "L150", "L190"),
            rows(
                "mc,material,note",
                ("NBR", "Buna-N (NBR)", "general purpose, good damping"),
                ("U", "Urethane", "1.5x the torque of NBR"),
                ("H", "Hytrel", "high torque, high temperature"),
                ("BR", "Bronze", "no elastomer, for slow high-torque drives"),
            ),
            brands("Lovejoy:LJ", "Martin:MAR", "Boston Gear:BG", "Northwind Pro"),
        ),
        attributes=(("size", "{size}"), ("material", "{material}")),
    ),
]
