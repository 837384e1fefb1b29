from __future__ import annotations

from meridian.core.errors import Conflict, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"

    def __init__(self, reference: str) -> None:
        super().__init__(f"product {reference} not found")
        self.reference = reference


class CategoryNotFound(NotFound):
    code = "category_not_found"

    def __init__(self, reference: object) -> None:
        super().__init__(f"category {reference} not found")
        self.reference = reference


class PartNumberTaken(Conflict):
    code = "part_number_taken"

    def __init__(self, part_number: str) -> None:
        super().__init__(
            f"part number {part_number!r} already names another product for this account",
            fields={"part_number": ["already used for another product"]},
        )
        self.part_number = part_number
