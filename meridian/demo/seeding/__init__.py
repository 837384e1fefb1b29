"""The seeder's parts: shared state (base), tenancy and staff, catalog, customers."""
