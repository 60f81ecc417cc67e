"""Export a journey as an IMS Common Cartridge 1.3 package.

The cartridge is a zip with ``imsmanifest.xml``: one organisation item per
step, each backed by a ``webcontent`` resource (a standalone HTML page that any
LMS shows, plus the step's exact data in ``step.json`` for a lossless
re-import), web links as ``imswl_xmlv1p3`` resources and documents and images
as files. Rich text internal page links cannot travel between sites; they are
exported as plain text.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile

from django.template.loader import render_to_string
from django.utils.text import slugify
from lxml import etree
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from wagtail_mentoring.blocks.content import ContentBlock
from wagtail_mentoring.blocks.journey import JourneyStepBlock
from wagtail_mentoring.journeys.interchange.reader import JOURNEY_FORMAT, STEP_FORMAT
from wagtail_mentoring.journeys.interchange.streamdata import walk

CC = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
WL = "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{CC} http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd "
    f"{LOM} http://www.imsglobal.org/profile/cc/ccv1p3/LOM/"
    "ccv1p3_lommanifest_v1p0.xsd"
)


class _Files:
    """Files of the cartridge, with documents and images collected once."""

    def __init__(self):
        self.contents: dict[str, bytes] = {}
        self._objects: dict[tuple[str, int], str] = {}

    def add(self, path: str, data: bytes) -> str:
        self.contents[path] = data
        return path

    def reference(self, obj, folder: str) -> dict | None:
        if obj is None:
            return None
        key = (obj._meta.label, obj.pk)
        if key not in self._objects:
            name = posixpath.basename(obj.file.name) or f"file-{obj.pk}"
            path = f"{folder}/{obj.pk}-{name}"
            with obj.file.open("rb") as handle:
                self.add(path, handle.read())
            self._objects[key] = path
        return {"file": self._objects[key], "title": obj.title}


def _exporter(files: _Files, folder: str):
    documents = get_document_model()
    images = get_image_model()

    def leaf(block: blocks.Block, raw):
        if isinstance(block, blocks.ChooserBlock) and raw is not None:
            model = block.model_class
            if issubclass(model, (documents, images)):
                return files.reference(model.objects.filter(pk=raw).first(), folder)
            return None  # other objects of this site mean nothing elsewhere
        return raw

    return leaf


def _element(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _lom(parent, title: str, description: str) -> None:
    lom = _element(parent, f"{{{LOM}}}lom")
    general = _element(lom, f"{{{LOM}}}general")
    _element(
        _element(general, f"{{{LOM}}}title"), f"{{{LOM}}}string", title, language="en"
    )
    if description:
        _element(
            _element(general, f"{{{LOM}}}description"),
            f"{{{LOM}}}string",
            description,
            language="en",
        )


def _weblink(title: str, url: str) -> bytes:
    root = etree.Element(f"{{{WL}}}webLink", nsmap={None: WL})
    _element(root, f"{{{WL}}}title", title)
    _element(root, f"{{{WL}}}url", href=url, target="_blank")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def export_cartridge(journey) -> bytes:
    """The journey (with its modules' steps, flattened) as a ``.imscc`` zip."""
    files = _Files()
    step_block = JourneyStepBlock()
    manifest = etree.Element(
        f"{{{CC}}}manifest",
        {
            "identifier": f"wm-journey-{journey.pk}",
            f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION,
        },
        nsmap={None: CC, "lomimscc": LOM, "xsi": XSI},
    )
    metadata = _element(manifest, f"{{{CC}}}metadata")
    _element(metadata, f"{{{CC}}}schema", "IMS Common Cartridge")
    _element(metadata, f"{{{CC}}}schemaversion", "1.3.0")
    _lom(metadata, journey.title, journey.summary)
    organisations = _element(manifest, f"{{{CC}}}organizations")
    organisation = _element(
        organisations,
        f"{{{CC}}}organization",
        identifier="org",
        structure="rooted-hierarchy",
    )
    root_item = _element(organisation, f"{{{CC}}}item", identifier="root")
    resources = _element(manifest, f"{{{CC}}}resources")

    intro = walk(
        ContentBlock(),
        ContentBlock().get_prep_value(journey.intro),
        _exporter(files, "journey/files"),
        keep_ids=False,
    )
    files.add(
        "journey/journey.json",
        json.dumps(
            {
                "format": JOURNEY_FORMAT,
                "title": journey.title,
                "summary": journey.summary,
                "intro": intro,
            },
            indent=1,
            ensure_ascii=False,
        ).encode("utf-8"),
    )
    files.add(
        "journey/index.html",
        render_to_string(
            "wagtail_mentoring/journeys/cartridge/journey.html",
            {"journey": journey, "steps": journey.journey_steps},
        ).encode("utf-8"),
    )
    journey_resource = _element(
        resources,
        f"{{{CC}}}resource",
        identifier="res-journey",
        type="webcontent",
        href="journey/index.html",
    )
    _element(journey_resource, f"{{{CC}}}file", href="journey/index.html")
    _element(journey_resource, f"{{{CC}}}file", href="journey/journey.json")
    for path in files.contents:
        if path.startswith("journey/files/"):
            _element(journey_resource, f"{{{CC}}}file", href=path)

    for step in journey.journey_steps:
        folder = f"steps/{step.number:03d}-{slugify(step.title)[:40] or 'step'}"
        identifier = f"step-{step.number:03d}"
        before = set(files.contents)
        raw = walk(
            step_block,
            step_block.get_prep_value(step.value),
            _exporter(files, f"{folder}/files"),
            keep_ids=False,
        )
        files.add(
            f"{folder}/step.json",
            json.dumps(
                {"format": STEP_FORMAT, "value": raw}, indent=1, ensure_ascii=False
            ).encode("utf-8"),
        )
        files.add(
            f"{folder}/index.html",
            render_to_string(
                "wagtail_mentoring/journeys/cartridge/step.html",
                {"journey": journey, "step": step},
            ).encode("utf-8"),
        )
        item = _element(
            root_item,
            f"{{{CC}}}item",
            identifier=identifier,
            identifierref=f"res-{identifier}",
        )
        _element(item, f"{{{CC}}}title", step.title)
        resource = _element(
            resources,
            f"{{{CC}}}resource",
            identifier=f"res-{identifier}",
            type="webcontent",
            href=f"{folder}/index.html",
        )
        _element(resource, f"{{{CC}}}file", href=f"{folder}/index.html")
        _element(resource, f"{{{CC}}}file", href=f"{folder}/step.json")
        for path in sorted(set(files.contents) - before):
            if path.startswith(f"{folder}/files/"):
                _element(resource, f"{{{CC}}}file", href=path)
        links = [
            link
            for _id, value in step.value.children("links")
            for link in value["links"]
        ]
        for number, link in enumerate(links, start=1):
            link_id = f"{identifier}-link-{number}"
            path = files.add(
                f"{folder}/link-{number}.xml", _weblink(link["title"], link["url"])
            )
            link_resource = _element(
                resources,
                f"{{{CC}}}resource",
                identifier=f"res-{link_id}",
                type="imswl_xmlv1p3",
            )
            _element(link_resource, f"{{{CC}}}file", href=path)
            _element(resource, f"{{{CC}}}dependency", identifierref=f"res-{link_id}")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "imsmanifest.xml",
            etree.tostring(
                manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True
            ),
        )
        for path, data in files.contents.items():
            archive.writestr(path, data)
    return buffer.getvalue()
