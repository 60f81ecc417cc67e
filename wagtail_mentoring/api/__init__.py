"""The REST API of the package: thin views over the domain services.

``urls.py`` is what a host includes; ``tokens.py`` holds personal access tokens
and ``authentication.py`` the classes that accept them (reusable by sub-apps
such as SCIM with their own scope).
"""
