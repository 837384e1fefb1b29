"""Meridian: an open-source unified B2B commerce platform."""

from meridian.celery import app as celery_app

__all__ = ["celery_app"]
