"""Read SCORM 1.2 / 2004 manifests and IMS Common Cartridges into journey data.

The organisation's items become steps (nested items are flattened in order,
with their module's title as the summary); a step's resources become its
content: web pages become text, web links become resource links, other files
become documents. Cartridges exported by this package carry each step's exact
data (``step.json``) and are read back losslessly.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html
from django.utils.translation import gettext as _
from lxml import etree

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.journeys.interchange.safety import (
    SafeZip,
    is_zip,
    parse_xml,
    refuse,
)

STEP_FORMAT = "wagtail-mentoring-step/1"
JOURNEY_FORMAT = "wagtail-mentoring-journey/1"

#: Files that make up web pages rather than something a person downloads.
WEB_ASSETS = {
    ".html", ".htm", ".xhtml", ".css", ".js", ".json", ".xml", ".xsd", ".dtd",
    ".map", ".woff", ".woff2", ".ttf", ".eot", ".svg", ".swf",
}  # fmt: skip
#: Files imported as documents; anything else is skipped.
DOCUMENT_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".ppt", ".pptx", ".xls", ".xlsx", ".odt", ".odp",
    ".ods", ".rtf", ".txt", ".csv", ".md", ".mp3", ".mp4", ".m4a", ".webm",
}  # fmt: skip
IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".webp"}


@dataclass
class PackageStep:
    title: str
    summary: str = ""
    body: list = field(default_factory=list)  # raw StepBodyBlock data
    data: dict | None = None  # the exact step, from a cartridge we exported


@dataclass
class Package:
    kind: str  # "scorm12", "scorm2004", "cc" or "ims"
    title: str
    summary: str = ""
    intro: list | None = None
    steps: list[PackageStep] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    archive: SafeZip | None = None

    @property
    def kind_label(self) -> str:
        return {
            "scorm12": "SCORM 1.2",
            "scorm2004": "SCORM 2004",
            "cc": "IMS Common Cartridge",
        }.get(self.kind, "IMS content package")


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _title(element) -> str:
    node = element.find("{*}title")
    return _text(node)[:120]


def _lom_title(root) -> str:
    for node in root.iterfind(".//{*}general/{*}title"):
        text = _text(node)
        if text:
            return text[:255]
    return ""


def _lom_description(root) -> str:
    for node in root.iterfind("{*}metadata//{*}general/{*}description"):
        text = _text(node)
        if text:
            return text[:300]
    return ""


def _kind(root) -> str:
    namespaces = " ".join(v for v in root.nsmap.values() if v)
    schema = _text(root.find("{*}metadata/{*}schema")).lower()
    if "imscc" in namespaces or "common cartridge" in schema:
        return "cc"
    if "adlcp_rootv1p2" in namespaces or "imscp_rootv1p1p2" in namespaces:
        return "scorm12"
    if "adlcp_v1p3" in namespaces or "adlcp_rootv1p3" in namespaces:
        return "scorm2004"
    if "scorm" in schema:
        return "scorm2004" if "2004" in _text(root.find("{*}metadata")) else "scorm12"
    return "ims"


def _join(base: str, href: str) -> str:
    """A package path for ``href`` relative to ``base``, or "" if it escapes."""
    href = unquote(urlsplit(href).path)
    joined = posixpath.normpath(posixpath.join(base, href)) if href else ""
    if not joined or joined.startswith(("../", "/")) or joined == "..":
        return ""
    return joined


def _is_web_url(href: str) -> bool:
    return urlsplit(href or "").scheme in ("http", "https")


class _Reader:
    def __init__(self, root, archive: SafeZip | None):
        self.root = root
        self.archive = archive
        self.kind = _kind(root)
        self.resources = {
            r.get("identifier"): r
            for r in root.iterfind("{*}resources/{*}resource")
            if r.get("identifier")
        }
        self.base = root.get("{http://www.w3.org/XML/1998/namespace}base") or ""
        resources_el = root.find("{*}resources")
        if resources_el is not None:
            self.base = posixpath.join(
                self.base,
                resources_el.get("{http://www.w3.org/XML/1998/namespace}base") or "",
            )
        self.skipped: list[str] = []

    # -- organisation --------------------------------------------------------

    def organisation(self):
        organisations = self.root.find("{*}organizations")
        if organisations is None:
            return None
        default = organisations.get("default")
        found = organisations.findall("{*}organization")
        for org in found:
            if default and org.get("identifier") == default:
                return org
        return found[0] if found else None

    def leaf_items(self, element, module: str = ""):
        """Items in order; those with children become a module for their steps."""
        for item in element.iterfind("{*}item"):
            if item.get("isvisible", "true").lower() == "false":
                continue
            children = item.findall("{*}item")
            if children:
                # A cartridge's untitled root item is structure, not a module.
                yield from self.leaf_items(item, _title(item) or module)
            else:
                yield item, module

    # -- resources -----------------------------------------------------------

    def resource_base(self, resource) -> str:
        return posixpath.join(
            self.base,
            resource.get("{http://www.w3.org/XML/1998/namespace}base") or "",
        )

    def resource_files(self, resource) -> list[str]:
        base = self.resource_base(resource)
        files = []
        href = resource.get("href")
        if href and not _is_web_url(href):
            files.append(_join(base, href))
        for file_el in resource.iterfind("{*}file"):
            path = _join(base, file_el.get("href") or "")
            if path and path not in files:
                files.append(path)
        return [f for f in files if f]

    def dependencies(self, resource) -> list:
        found = []
        for dep in resource.iterfind("{*}dependency"):
            target = self.resources.get(dep.get("identifierref"))
            if target is not None:
                found.append(target)
        return found

    def read_json(self, path: str) -> dict | None:
        if self.archive is None or path not in self.archive:
            return None
        try:
            data = json.loads(self.archive.read(path).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise refuse(
                _("%(name)s in the package is not valid JSON; nothing was imported.")
                % {"name": path},
                "bad_json",
            )
        return data if isinstance(data, dict) else None

    def weblink(self, resource) -> dict | None:
        files = self.resource_files(resource)
        if not files or self.archive is None or files[0] not in self.archive:
            return None
        root = parse_xml(self.archive.read(files[0]), files[0])
        url_el = root.find("{*}url")
        href = url_el.get("href", "") if url_el is not None else ""
        if not _is_web_url(href):
            self.skipped.append(_("a web link that is not an http(s) address"))
            return None
        return {
            "title": (_text(root.find("{*}title")) or href)[:255],
            "url": href,
            "description": "",
        }

    def html_text(self, path: str) -> str:
        if self.archive is None or path not in self.archive:
            return ""
        data = self.archive.read(path)
        try:
            document = lxml.html.document_fromstring(data)
        except (etree.ParserError, ValueError):
            return ""
        body = document.find("body")
        if body is None:
            return ""
        for bad in body.xpath("//script|//style|//noscript|//iframe|//object"):
            bad.drop_tree()
        html = "".join(
            lxml.html.tostring(child, encoding="unicode") for child in body
        ).strip()
        return html[:200_000]

    # -- steps ---------------------------------------------------------------

    def step_for(self, item, module: str) -> PackageStep | None:
        step = PackageStep(title=_title(item) or _("Untitled step"), summary=module)
        resource = self.resources.get(item.get("identifierref"))
        if resource is None:
            return step
        files = self.resource_files(resource)
        for path in files:
            if path.endswith("step.json"):
                data = self.read_json(path)
                if data and data.get("format") == STEP_FORMAT:
                    step.data = data.get("value")
                    return step
        links = []
        rtype = (resource.get("type") or "").lower()
        if rtype.startswith("imswl"):
            link = self.weblink(resource)
            if link:
                links.append(link)
        elif rtype != "webcontent" and not rtype.startswith("associatedcontent"):
            # Discussions, assessments, LTI links…: nothing a journey step can show.
            self.skipped.append(rtype or _("an item without a type"))
            return None
        href = resource.get("href") or ""
        if _is_web_url(href):
            links.append({"title": step.title, "url": href, "description": ""})
        for dependency in self.dependencies(resource):
            if (dependency.get("type") or "").lower().startswith("imswl"):
                link = self.weblink(dependency)
                if link:
                    links.append(link)
        if rtype.startswith("imswl"):
            files = []
        pages = [
            f for f in files if posixpath.splitext(f)[1].lower() in (".html", ".htm")
        ]
        documents = [
            f for f in files if posixpath.splitext(f)[1].lower() in DOCUMENT_EXTENSIONS
        ]
        if pages:
            html = self.html_text(pages[0]) if self.archive else ""
            if html:
                step.body.append({"type": "paragraph", "value": html})
            elif self.archive is None:
                step.body.append(
                    {
                        "type": "callout",
                        "value": {
                            "tone": "info",
                            "text": "<p>"
                            + _(
                                "Imported from a manifest only: the original "
                                "content was %(file)s."
                            )
                            % {"file": posixpath.basename(pages[0])}
                            + "</p>",
                        },
                    }
                )
        if self.archive is not None:
            for path in documents:
                if path in self.archive:
                    step.body.append(
                        {
                            "type": "document",
                            "value": {
                                "document": {
                                    "file": path,
                                    "title": posixpath.basename(path),
                                },
                                "title": "",
                                "description": "",
                            },
                        }
                    )
        if links:
            step.body.append(
                {
                    "type": "links",
                    "value": {"heading": _("Resources"), "links": links},
                }
            )
        return step

    def journey_data(self) -> dict | None:
        for resource in self.resources.values():
            for path in self.resource_files(resource):
                if path.endswith("journey.json"):
                    data = self.read_json(path)
                    if data and data.get("format") == JOURNEY_FORMAT:
                        return data
        return None


def read_package(root, archive: SafeZip | None) -> Package:
    if _local(root) != "manifest":
        raise refuse(
            _("This is not a content package: imsmanifest.xml has no <manifest>."),
            "not_manifest",
        )
    reader = _Reader(root, archive)
    organisation = reader.organisation()
    package = Package(
        kind=reader.kind,
        title=(
            (_title(organisation) if organisation is not None else "")
            or _lom_title(root)
            or _("Imported journey")
        )[:255],
        summary=_lom_description(root),
        archive=archive,
    )
    journey = reader.journey_data()
    if journey:
        package.title = str(journey.get("title") or package.title)[:255]
        package.summary = str(journey.get("summary") or "")[:300]
        package.intro = journey.get("intro") or None
    if organisation is None:
        raise refuse(
            _("The package has no organisation of items, so there are no steps."),
            "no_steps",
        )
    for item, module in reader.leaf_items(organisation):
        found = reader.step_for(item, module)
        if found is None:
            continue
        package.steps.append(found)
        if len(package.steps) > mentoring_settings.JOURNEY_IMPORT_MAX_STEPS:
            raise refuse(
                _("The package has more than %(n)d steps; nothing was imported.")
                % {"n": mentoring_settings.JOURNEY_IMPORT_MAX_STEPS},
                "too_many_steps",
            )
    if not package.steps:
        raise refuse(_("The package has no items to turn into steps."), "no_steps")
    package.skipped = reader.skipped
    return package


def open_package(upload) -> Package:
    """Read an uploaded ``imsmanifest.xml`` or zip package (SCORM or cartridge)."""

    if is_zip(upload):
        archive = SafeZip(upload)
        if "imsmanifest.xml" not in archive:
            raise refuse(
                _("The zip has no imsmanifest.xml at its top level."), "no_manifest"
            )
        root = parse_xml(archive.read("imsmanifest.xml"), "imsmanifest.xml")
        return read_package(root, archive)
    upload.seek(0)
    data = upload.read(mentoring_settings.JOURNEY_IMPORT_MAX_XML_BYTES + 1)
    return read_package(parse_xml(data, "imsmanifest.xml"), None)


def raw_value(package_step: PackageStep, defaults: dict[str, Any]) -> dict:
    """The step's raw block value: its exact data, or one built from the item."""
    if package_step.data is not None:
        if not isinstance(package_step.data, dict):
            raise refuse(_("A step in the package has the wrong shape."), "bad_data")
        return package_step.data
    return {
        **defaults,
        "title": package_step.title,
        "summary": package_step.summary,
        "body": package_step.body,
    }
