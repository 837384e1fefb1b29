from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "meridian.staff"
    label = "staff"
    verbose_name = "Staff"
