"""Fixed reference data of the demo distributor: storefronts, branches, segments, terms, demo logins."""

from __future__ import annotations

from dataclasses import dataclass

from meridian.core.actor import BuyerRole, StaffRole

ORGANIZATION_NAME = "Northwind Industrial Supply"
ORGANIZATION_SLUG = "northwind"
STAFF_DOMAIN = "northwind-supply.test"

# Printed by `meridian demo`; at least 10 characters (the configured minimum length).
DEMO_PASSWORD = "meridian-demo"


@dataclass(frozen=True, slots=True)
class WebsiteSpec:
    slug: str
    name: str
    domain: str
    currency: str
    languages: str
    timezone: str


WEBSITES = (
    WebsiteSpec(
        "us", "Northwind Industrial Supply", "shop.northwind-supply.test", "USD", "en,es", "America/Chicago"
    ),
    WebsiteSpec(
        "ca",
        "Northwind Industrial Supply Canada",
        "ca.northwind-supply.test",
        "CAD",
        "en,fr",
        "America/Toronto",
    ),
    WebsiteSpec(
        "mx",
        "Northwind Suministros Industriales",
        "mx.northwind-supply.test",
        "MXN",
        "es,en",
        "America/Monterrey",
    ),
    WebsiteSpec(
        "gov",
        "Northwind Government & Education",
        "gov.northwind-supply.test",
        "USD",
        "en",
        "America/New_York",
    ),
)


@dataclass(frozen=True, slots=True)
class BranchSpec:
    code: str
    city: str
    region: str
    country: str
    # (city, state or province, postal code prefix) where this branch's customers are.
    cities: tuple[tuple[str, str, str], ...]


BRANCHES = (
    BranchSpec(
        "CHI",
        "Chicago",
        "Midwest",
        "US",
        (
            ("Chicago", "IL", "606"),
            ("Milwaukee", "WI", "532"),
            ("Rockford", "IL", "611"),
            ("Gary", "IN", "464"),
            ("Peoria", "IL", "616"),
            ("Detroit", "MI", "482"),
            ("Toledo", "OH", "436"),
            ("Grand Rapids", "MI", "495"),
        ),
    ),
    BranchSpec(
        "TOR",
        "Toronto",
        "Ontario",
        "CA",
        (
            ("Toronto", "ON", "M5V"),
            ("Hamilton", "ON", "L8P"),
            ("Mississauga", "ON", "L5B"),
            ("Windsor", "ON", "N9A"),
            ("Oshawa", "ON", "L1H"),
            ("Kitchener", "ON", "N2G"),
        ),
    ),
    BranchSpec(
        "ATL",
        "Atlanta",
        "Southeast",
        "US",
        (
            ("Atlanta", "GA", "303"),
            ("Birmingham", "AL", "352"),
            ("Charlotte", "NC", "282"),
            ("Greenville", "SC", "296"),
            ("Chattanooga", "TN", "374"),
        ),
    ),
    BranchSpec(
        "DAL",
        "Dallas",
        "South Central",
        "US",
        (
            ("Dallas", "TX", "752"),
            ("Fort Worth", "TX", "761"),
            ("Tulsa", "OK", "741"),
            ("Shreveport", "LA", "711"),
        ),
    ),
    BranchSpec(
        "LAX",
        "Los Angeles",
        "West",
        "US",
        (
            ("Los Angeles", "CA", "900"),
            ("Long Beach", "CA", "908"),
            ("Fresno", "CA", "937"),
            ("Phoenix", "AZ", "850"),
        ),
    ),
    BranchSpec(
        "NWK",
        "Newark",
        "Northeast",
        "US",
        (
            ("Newark", "NJ", "071"),
            ("Allentown", "PA", "181"),
            ("Hartford", "CT", "061"),
            ("Albany", "NY", "122"),
        ),
    ),
    BranchSpec("DEN", "Denver", "Mountain", "US", (("Denver", "CO", "802"), ("Salt Lake City", "UT", "841"))),
    BranchSpec(
        "SEA", "Seattle", "Pacific Northwest", "US", (("Seattle", "WA", "981"), ("Portland", "OR", "972"))
    ),
    BranchSpec(
        "MTY",
        "Monterrey",
        "Mexico",
        "MX",
        (("Monterrey", "NL", "64"), ("Saltillo", "COAH", "25"), ("Querétaro", "QRO", "76")),
    ),
    BranchSpec(
        "DET",
        "Detroit",
        "Great Lakes",
        "US",
        (("Detroit", "MI", "482"), ("Flint", "MI", "485"), ("Lansing", "MI", "489")),
    ),
    BranchSpec(
        "HOU",
        "Houston",
        "Gulf Coast",
        "US",
        (("Houston", "TX", "770"), ("Baton Rouge", "LA", "708"), ("Beaumont", "TX", "777")),
    ),
    BranchSpec(
        "MTL",
        "Montréal",
        "Québec",
        "CA",
        (("Montréal", "QC", "H3B"), ("Québec", "QC", "G1R"), ("Sherbrooke", "QC", "J1H")),
    ),
)

CURRENCY_BY_COUNTRY = {"US": "USD", "CA": "CAD", "MX": "MXN"}
WEBSITE_BY_COUNTRY = {"US": "us", "CA": "ca", "MX": "mx"}

# (code, name, share of top-level accounts)
CUSTOMER_GROUPS = (
    ("STD", "Standard", 45),
    ("GOLD", "Gold Contractors", 25),
    ("OEM", "OEM Manufacturers", 15),
    ("MRO", "MRO Key Accounts", 15),
)
# (code, name, net days, share of top-level accounts)
PAYMENT_TERMS = (
    ("NET30", "Net 30", 30, 55),
    ("NET60", "Net 60", 60, 15),
    ("2-10-NET30", "2/10 Net 30", 30, 20),
    ("PREPAID", "Prepaid", 0, 10),
)
CREDIT_LIMITS = (10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
SITE_CREDIT_LIMITS = (5_000, 10_000, 25_000)

INDUSTRIES = (
    "Fabrication", "Machine Works", "Manufacturing", "Plastics", "Foods", "Packaging", "Metal Works",
    "Energy Services", "Mining", "Construction", "Logistics", "Automotive", "Aerospace", "Paper", "Chemical",
    "Utilities", "Steel", "Precision Parts", "Industries", "Hydraulics", "Mechanical Contractors", "Brewing",
)  # fmt: skip
COMPANY_SUFFIXES = {
    "US": ("Inc.", "LLC", "Co.", "Corp."),
    "CA": ("Inc.", "Ltd.", "Corp."),
    "MX": ("S.A. de C.V.",),
}
SITE_KINDS = ("Plant", "Plant", "Plant", "Distribution Center", "Mill", "Service Center", "Warehouse")
DEPARTMENTS = (
    "Maintenance",
    "Production",
    "Facilities",
    "Tool Crib",
    "Purchasing",
    "Quality Lab",
    "Shipping & Receiving",
)
STREET_TYPES = (
    "Industrial Pkwy", "Commerce Dr", "Industrial Blvd", "Rd", "Ave", "Technology Way", "Distribution Way", "St",
)  # fmt: skip
JOB_TITLES = {
    BuyerRole.ADMIN: ("Purchasing Manager", "Procurement Lead", "Supply Chain Manager"),
    BuyerRole.APPROVER: ("Plant Manager", "Controller", "Maintenance Manager", "Operations Director"),
    BuyerRole.BUYER: (
        "Buyer",
        "MRO Buyer",
        "Maintenance Planner",
        "Maintenance Technician",
        "Tool Crib Attendant",
    ),
    BuyerRole.VIEWER: ("Accounts Payable Clerk", "Manufacturing Engineer", "Safety Coordinator"),
}
TERRITORY_FOCUS = ("Key Accounts", "Metro", "Industrial Parks", "Rural", "OEM")


@dataclass(frozen=True, slots=True)
class DemoLogin:
    label: str
    email: str
    full_name: str
    job_title: str
    buyer_roles: frozenset[BuyerRole] = frozenset()
    staff_role: StaffRole | None = None


DEMO_ACCOUNT = "Great Lakes Fabrication, Inc."
DEMO_ACCOUNT_SHORT = "Great Lakes Fabrication"
DEMO_BUYER = DemoLogin(
    "Buyer", "buyer@demo.meridian.test", "Maria Alvarez", "MRO Buyer", frozenset({BuyerRole.BUYER})
)
DEMO_ACCOUNT_ADMIN = DemoLogin(
    "Account admin",
    "admin@demo.meridian.test",
    "Tom Becker",
    "Purchasing Manager",
    frozenset({BuyerRole.ADMIN, BuyerRole.BUYER}),
)
DEMO_APPROVER = DemoLogin(
    "Approver",
    "approver@demo.meridian.test",
    "Priya Natarajan",
    "Plant Controller",
    frozenset({BuyerRole.APPROVER, BuyerRole.BUYER}),
)
DEMO_SALES_REP = DemoLogin(
    "Sales rep", "rep@demo.meridian.test", "Sam Ortega", "Territory Sales Rep", staff_role=StaffRole.SALES_REP
)
DEMO_BACK_OFFICE = DemoLogin(
    "Back-office admin",
    "backoffice@demo.meridian.test",
    "Alex Morgan",
    "Operations Admin",
    staff_role=StaffRole.ADMIN,
)
DEMO_LOGINS = (DEMO_BUYER, DEMO_ACCOUNT_ADMIN, DEMO_APPROVER, DEMO_SALES_REP, DEMO_BACK_OFFICE)
