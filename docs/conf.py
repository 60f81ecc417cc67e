"""Sphinx configuration of the wagtail-mentoring guides.

Built the way Wagtail builds its own documentation: MyST Markdown pages with
Wagtail's Sphinx theme. ``make docs`` runs it with warnings as errors, so a broken
cross-reference, a missing image or a page outside the table of contents fails.
"""

from datetime import date
from importlib.metadata import PackageNotFoundError, version

import sphinx_wagtail_theme

try:
    release = version("wagtail-mentoring")
except PackageNotFoundError:  # building from a checkout that was never installed
    release = "0.1.0"

project = "wagtail-mentoring"
author = "wagtail-mentoring contributors"
copyright = f"{date.today().year}, {author}"
version = ".".join(release.split(".")[:2])

extensions = ["myst_parser", "sphinx_wagtail_theme"]
source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build"]

# Headings up to ### get anchors, so pages can link to `install.md#settings`;
# a link to an anchor that does not exist is a warning, hence an error.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]
# Only web links leave the documentation; anything else must resolve inside it.
myst_url_schemes = {"https": None, "http": None, "mailto": None}

html_theme = "sphinx_wagtail_theme"
html_theme_path = [sphinx_wagtail_theme.get_html_theme_path()]
html_theme_options = {
    "project_name": "wagtail-mentoring",
    # No public repository yet: no "Edit on GitHub" button, and no footer of
    # links to wagtail.org, which would read as if this were Wagtail's own guide.
    "github_url": "",
    "footer_links": "",
}
html_title = f"wagtail-mentoring {release}"
html_show_sourcelink = False
html_use_index = False
pygments_style = None
