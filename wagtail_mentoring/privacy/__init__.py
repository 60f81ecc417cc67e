"""Privacy rights: export a person's data, erase it, retention, leaving.

The top layer of the package: it may import every domain. What a domain holds
about a person is declared by the domain itself (``<domain>/personal_data.py``,
see :mod:`wagtail_mentoring.personal_data`); this folder collects those
declarations and offers the services, screens and jobs around them.
"""
