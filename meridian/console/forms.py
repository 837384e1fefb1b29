"""Forms for the seller console."""

from __future__ import annotations

from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)
