"""Every product family of the demo distributor, in catalog order, and the top-level descriptions."""

from __future__ import annotations

from meridian.demo.catalog_data import Family
from meridian.demo.catalog_data.abrasives import ABRASIVES
from meridian.demo.catalog_data.adhesives import ADHESIVES
from meridian.demo.catalog_data.chemicals import HAZMAT, JANITORIAL
from meridian.demo.catalog_data.cutting_tools import CUTTING_TOOLS
from meridian.demo.catalog_data.electrical import ELECTRICAL
from meridian.demo.catalog_data.fasteners import FASTENERS
from meridian.demo.catalog_data.fluid_power import FLUID_POWER
from meridian.demo.catalog_data.material_handling import MATERIAL_HANDLING
from meridian.demo.catalog_data.oem import OEM
from meridian.demo.catalog_data.power_transmission import POWER_TRANSMISSION
from meridian.demo.catalog_data.safety import SAFETY
from meridian.demo.catalog_data.welding import WELDING

FAMILIES: tuple[Family, ...] = (
    *FASTENERS,
    *POWER_TRANSMISSION,
    *SAFETY,
    *ELECTRICAL,
    *FLUID_POWER,
    *ABRASIVES,
    *ADHESIVES,
    *CUTTING_TOOLS,
    *MATERIAL_HANDLING,
    *HAZMAT,
    *JANITORIAL,
    *WELDING,
    *OEM,
)

TOP_CATEGORY_DESCRIPTIONS = {
    "Fasteners": "Bolts, screws, nuts, washers, anchors and threaded rod in steel, stainless and specialty finishes.",
    "Power Transmission": "Bearings, belts, chain, sprockets and couplings that keep motors, pumps and conveyors turning.",
    "Safety & PPE": "Gloves, eye, hearing, head and fall protection, respirators and hi-vis apparel.",
    "Electrical": "Wire and cable, terminals, circuit protection, lighting and motors.",
    "Fluid Power": "Hydraulic hose and adapters, seals and O-rings, pneumatic fittings, cylinders and valves.",
    "Abrasives": "Cut-off wheels, flap discs, grinding wheels, belts and discs for metalworking.",
    "Adhesives & Sealants": "Threadlockers, sealants, tapes and structural adhesives.",
    "Cutting Tools": "Drills, end mills, taps, band saw blades and indexable inserts.",
    "Material Handling": "Casters, rigging, hoists, pallet jacks and shelving.",
    "Hazmat & Chemicals": "Lubricants, aerosols, solvents and gases. Hazardous materials ship by ground only.",
    "Janitorial": "Can liners, paper, cleaning chemicals and absorbents.",
    "Welding": "Stick electrodes and MIG wire.",
    "OEM Components": "Precision components made to print for OEM production accounts.",
}
