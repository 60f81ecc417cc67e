"""Mentoring and sponsorship programs inside an existing Wagtail intranet."""

__version__ = "0.1.0"
