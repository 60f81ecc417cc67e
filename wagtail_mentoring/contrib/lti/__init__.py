"""LTI 1.3 / LTI Advantage tool: programs, journeys and spaces placed in an LMS course.

An optional sub-app: a host that wants it adds ``"lti_tool"`` and
``"wagtail_mentoring.contrib.lti"`` to ``INSTALLED_APPS`` and includes
``wagtail_mentoring.contrib.lti.urls``. The core package never imports it.
"""
