"""SCIM 2.0 provisioning: an identity provider (Microsoft Entra ID, Okta)
creates, updates and deactivates the host's users and groups.

Optional: add ``"wagtail_mentoring.contrib.scim"`` to ``INSTALLED_APPS`` and
``path("scim/v2/", include("wagtail_mentoring.contrib.scim.urls"))`` to the URL
conf; ``pip install wagtail-mentoring[scim]``. See docs/scim.md.
"""
