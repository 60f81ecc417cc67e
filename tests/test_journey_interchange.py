# ruff: noqa: E501  (package fixtures are easier to read unwrapped)
"""SCORM / Common Cartridge import and export, and hostile packages refused."""

import hashlib
import io
import json
import os
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from tests.journey_data import checklist, make_journey, quiz, step, three_steps
from wagtail_mentoring.blocks.content import ContentBlock
from wagtail_mentoring.blocks.journey import JourneyStepBlock
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import services
from wagtail_mentoring.journeys.models import LearningJourneyPage

pytestmark = pytest.mark.django_db

Document = get_document_model()
Image = get_image_model()

SCORM12 = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.acme.onboarding" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Mentoring basics</title>
      <item identifier="I1" identifierref="R1"><title>What mentoring is</title></item>
      <item identifier="I2" identifierref="R2"><title>Your first meeting</title></item>
      <item identifier="I3" identifierref="R3"><title>Further reading</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="one.html">
      <file href="one.html"/>
    </resource>
    <resource identifier="R2" type="webcontent" adlcp:scormtype="sco" href="two.html">
      <file href="two.html"/>
    </resource>
    <resource identifier="R3" type="webcontent" adlcp:scormtype="asset"
        href="https://example.com/mentoring-guide"/>
  </resources>
</manifest>
"""

SCORM2004 = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="acme-2004" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o1">
    <organization identifier="o1">
      <title>Feedback skills</title>
      <item identifier="m1">
        <title>Module 1: Giving feedback</title>
        <item identifier="i1" identifierref="r1"><title>The SBI model</title></item>
        <item identifier="i2" identifierref="r2"><title>Worksheet</title></item>
      </item>
      <item identifier="i3" identifierref="r3" isvisible="false"><title>Hidden</title></item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="sbi/index.html">
      <file href="sbi/index.html"/><file href="sbi/style.css"/>
    </resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="asset" href="sheet.pdf">
      <file href="sheet.pdf"/>
    </resource>
    <resource identifier="r3" type="webcontent" adlcp:scormType="asset" href="x.html"/>
  </resources>
</manifest>
"""

CC_OTHER_TOOL = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cc-1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion></metadata>
  <organizations>
    <organization identifier="org" structure="rooted-hierarchy">
      <item identifier="root">
        <item identifier="a" identifierref="ra"><title>Read this</title></item>
        <item identifier="b" identifierref="rb"><title>Useful link</title></item>
        <item identifier="c" identifierref="rc"><title>Discuss</title></item>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="ra" type="webcontent" href="a.html"><file href="a.html"/></resource>
    <resource identifier="rb" type="imswl_xmlv1p1"><file href="link.xml"/></resource>
    <resource identifier="rc" type="imsdt_xmlv1p1"><file href="dt.xml"/></resource>
  </resources>
</manifest>
"""

WEBLINK = b"""<?xml version="1.0" encoding="UTF-8"?>
<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1">
  <title>Radical Candor summary</title><url href="https://example.com/candor"/>
</webLink>
"""

PAGE = (
    b"<html><head><script>alert(1)</script></head><body><h2>SBI</h2>"
    b"<p onclick='steal()'>Situation, behaviour, impact.</p>"
    b"<script>alert(2)</script></body></html>"
)


def _zip(entries, *, symlink=None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return buffer


def _png() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 3), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _files(root) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


def test_scorm12_manifest_becomes_a_draft_journey(hub, superuser):
    page, summary = services.import_journey(hub, io.BytesIO(SCORM12), superuser)
    page = LearningJourneyPage.objects.get(pk=page.pk)
    assert (page.title, page.live, summary.kind) == (
        "Mentoring basics",
        False,
        "SCORM 1.2",
    )
    assert page.get_parent().pk == hub.pk
    steps = page.journey_steps
    assert [s.title for s in steps] == [
        "What mentoring is",
        "Your first meeting",
        "Further reading",
    ]
    assert steps[0].value["body"][0].block_type == "callout"
    assert "one.html" in steps[0].value["body"][0].value["text"].source
    links = steps[2].value["body"][0].value["links"]
    assert links[0]["url"] == "https://example.com/mentoring-guide"
    assert page.latest_revision is not None
    assert page.latest_revision.user == superuser


def test_scorm2004_package_turns_pages_into_text_and_files_into_documents(
    hub, superuser
):
    upload = _zip(
        {
            "imsmanifest.xml": SCORM2004,
            "content/sbi/index.html": PAGE,
            "content/sbi/style.css": b"p{}",
            "content/sheet.pdf": b"%PDF-1.4 worksheet",
        }
    )
    page, summary = services.import_journey(hub, upload, superuser)
    page = LearningJourneyPage.objects.get(pk=page.pk)
    assert summary.kind == "SCORM 2004" and summary.documents == 1
    steps = page.journey_steps
    assert [(s.title, s.value["summary"]) for s in steps] == [
        ("The SBI model", "Module 1: Giving feedback"),
        ("Worksheet", "Module 1: Giving feedback"),
    ]
    text = steps[0].value["body"][0].value.source
    assert "Situation, behaviour, impact." in text
    assert "script" not in text and "onclick" not in text and "alert" not in text
    document = steps[1].value["body"][0].value["document"]
    assert document.title == "sheet.pdf"
    assert document.file.read() == b"%PDF-1.4 worksheet"


def test_cartridge_from_another_tool(hub, superuser):
    upload = _zip(
        {
            "imsmanifest.xml": CC_OTHER_TOOL,
            "a.html": b"<html><body><p>Hello <b>pairs</b></p></body></html>",
            "link.xml": WEBLINK,
            "dt.xml": b"<topic/>",
        }
    )
    page, summary = services.import_journey(hub, upload, superuser)
    steps = LearningJourneyPage.objects.get(pk=page.pk).journey_steps
    assert [s.title for s in steps] == ["Read this", "Useful link"]
    assert steps[0].value["body"][0].value.source == "<p>Hello <b>pairs</b></p>"
    link = steps[1].value["body"][0].value["links"][0]
    assert (link["title"], link["url"]) == (
        "Radical Candor summary",
        "https://example.com/candor",
    )
    assert summary.skipped == ["imsdt_xmlv1p1"]


def _normalise(block, value, prep=True):
    """Raw data without block ids, documents and images as (title, file hash)."""
    raw = block.get_prep_value(value) if prep else value

    def clean(node, key=None):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "id":
                    continue
                if k == "document" and isinstance(v, int):
                    d = Document.objects.get(pk=v)
                    v = (d.title, hashlib.sha256(d.file.read()).hexdigest())
                elif k == "image" and isinstance(v, int):
                    i = Image.objects.get(pk=v)
                    v = (i.title, hashlib.sha256(i.file.read()).hexdigest())
                out[k] = clean(v, k)
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    return clean(raw)


def _cached_embed(url):
    # No network in tests: Wagtail looks embeds up in its cache table first.
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url, None, None),
        type="video",
        html='<iframe title="Video"></iframe>',
    )


def test_exported_cartridge_imports_back_into_an_equal_journey(hub, superuser):
    _cached_embed("https://www.youtube.com/watch?v=abc")
    document = Document(title="Worksheet")
    document.file.save("worksheet.pdf", ContentFile(b"%PDF-1.4 sheet"), save=True)
    image = Image(title="Team photo")
    image.file.save("team.png", ImageFile(io.BytesIO(_png()), name="t.png"), save=True)
    rich = step(
        "s-rich",
        "Everything",
        [
            {
                "type": "paragraph",
                "value": '<h3>Why</h3><p>Read <a href="https://example.com">this</a>'
                " and <b>that</b>.</p><ul><li>One</li></ul>",
            },
            {
                "type": "document",
                "value": {"document": document.pk, "title": "", "description": "PDF"},
            },
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "Us", "decorative": False},
            },
            {"type": "embed", "value": "https://www.youtube.com/watch?v=abc"},
            {
                "type": "links",
                "value": {
                    "heading": "More",
                    "links": [
                        {
                            "type": "item",
                            "id": "l1",
                            "value": {
                                "title": "Guide",
                                "url": "https://example.com/guide",
                                "description": "Short",
                            },
                        }
                    ],
                },
            },
            {
                "type": "callout",
                "value": {"tone": "tip", "text": "<p>Meet monthly.</p>"},
            },
            quiz("qz"),
            checklist("cl", "A", "B"),
            {"type": "milestone", "value": {"title": "Halfway", "message": "Yay"}},
        ],
        completion="answer",
        audience="mentee",
        minutes=75,
    )
    journey = make_journey(hub, three_steps() + [rich], slug="original")
    journey.summary = "A short course"
    journey.intro = [("paragraph", "<p>Welcome, pairs.</p>")]
    journey.save_revision().publish()
    journey = LearningJourneyPage.objects.get(pk=journey.pk)

    data = services.export_journey(journey, superuser)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist()[0] == "imsmanifest.xml"
    manifest = archive.read("imsmanifest.xml").decode()
    assert "imsccv1p3/imscp_v1p1" in manifest and "1.3.0" in manifest
    assert 'type="imswl_xmlv1p3"' in manifest
    assert any(n.endswith("worksheet.pdf") for n in archive.namelist())

    page, summary = services.import_journey(hub, io.BytesIO(data), superuser)
    copy = LearningJourneyPage.objects.get(pk=page.pk)
    assert (summary.kind, summary.steps, summary.documents, summary.images) == (
        "IMS Common Cartridge",
        4,
        1,
        1,
    )
    assert (copy.title, copy.summary) == (journey.title, journey.summary)
    assert _normalise(ContentBlock(), copy.intro) == _normalise(
        ContentBlock(), journey.intro
    )
    block = JourneyStepBlock()
    assert [_normalise(block, s.value) for s in copy.journey_steps] == [
        _normalise(block, s.value) for s in journey.journey_steps
    ]
    # New ids: the copy's progress can never be confused with the original's.
    assert not {s.id for s in copy.journey_steps} & {
        s.id for s in journey.journey_steps
    }


def _cartridge_with_step(value, extra=None):
    manifest = b"""<?xml version="1.0"?>
<manifest identifier="x" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
  <organizations><organization identifier="o"><item identifier="root">
    <item identifier="s" identifierref="rs"><title>Step</title></item>
  </item></organization></organizations>
  <resources><resource identifier="rs" type="webcontent" href="s/index.html">
    <file href="s/index.html"/><file href="s/step.json"/></resource></resources>
</manifest>"""
    entries = {
        "imsmanifest.xml": manifest,
        "s/index.html": b"<html><body><p>x</p></body></html>",
        "s/step.json": json.dumps(
            {"format": "wagtail-mentoring-step/1", "value": value}
        ).encode(),
    }
    entries.update(extra or {})
    return _zip(entries)


def _step_value(*body):
    return {
        "title": "Step",
        "summary": "",
        "minutes": 10,
        "audience": "both",
        "completion": "check",
        "body": list(body),
    }


def test_rich_text_from_a_package_is_cleaned(hub, superuser):
    upload = _cartridge_with_step(
        _step_value(
            {
                "type": "paragraph",
                "value": '<script>alert(1)</script><p onclick="x()">Hi '
                '<a href="javascript:alert(1)">there</a> <b>friend</b></p>',
            }
        )
    )
    page, _summary = services.import_journey(hub, upload, superuser)
    html = (
        LearningJourneyPage.objects.get(pk=page.pk)
        .journey_steps[0]
        .value["body"][0]
        .value.source
    )
    assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert "<b>friend</b>" in html


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<manifest><organizations><organization><title>&lol9;</title>
<item identifier="i"><title>&lol9;</title></item></organization></organizations>
</manifest>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest><organizations><organization><title>&xxe;</title>
<item identifier="i"><title>&xxe;</title></item></organization></organizations>
</manifest>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE manifest SYSTEM "http://127.0.0.1:9/evil.dtd">
<manifest><organizations><organization><title>x</title>
<item identifier="i"><title>x</title></item></organization></organizations>
</manifest>"""


def _hostile(case, settings):
    limits = {}
    if case == "xxe":
        upload, code = io.BytesIO(XXE), "doctype"
    elif case == "external_dtd":
        upload, code = io.BytesIO(EXTERNAL_DTD), "doctype"
    elif case == "billion_laughs":
        upload, code = io.BytesIO(BILLION_LAUGHS.encode()), "doctype"
    elif case == "billion_laughs_utf16":
        data = BILLION_LAUGHS.replace(
            'version="1.0"', 'version="1.0" encoding="UTF-16"'
        )
        upload, code = io.BytesIO(data.encode("utf-16")), "doctype"
    elif case == "xxe_in_zip":
        upload, code = _zip({"imsmanifest.xml": XXE}), "doctype"
    elif case == "hostile_weblink":
        upload = _zip(
            {
                "imsmanifest.xml": CC_OTHER_TOOL,
                "a.html": b"<p>x</p>",
                "link.xml": XXE,
                "dt.xml": b"",
            }
        )
        code = "doctype"
    elif case == "malformed":
        upload, code = io.BytesIO(b"<manifest><unclosed></manifest>"), "malformed"
    elif case == "not_manifest":
        upload, code = io.BytesIO(b"<html><body/></html>"), "not_manifest"
    elif case == "zip_slip":
        upload = _zip({"imsmanifest.xml": SCORM12, "../../evil.html": b"x"})
        code = "unsafe_path"
    elif case == "absolute_path":
        upload = _zip({"imsmanifest.xml": SCORM12, "/etc/evil.html": b"x"})
        code = "unsafe_path"
    elif case == "backslash_path":
        upload = _zip({"imsmanifest.xml": SCORM12, "..\\evil.html": b"x"})
        code = "unsafe_path"
    elif case == "symlink":
        upload = _zip({"imsmanifest.xml": SCORM12}, symlink="one.html")
        code = "symlink"
    elif case == "too_many_entries":
        limits["JOURNEY_IMPORT_MAX_ENTRIES"] = 5
        upload = _zip(
            {"imsmanifest.xml": SCORM12, **{f"f{i}.html": b"x" for i in range(10)}}
        )
        code = "too_many_entries"
    elif case == "oversized_file":
        limits["JOURNEY_IMPORT_MAX_FILE_BYTES"] = 4000
        upload = _zip({"imsmanifest.xml": SCORM12, "one.html": b"a" * 5000})
        code = "file_too_large"
    elif case == "oversized_archive":
        limits["JOURNEY_IMPORT_MAX_UPLOAD_BYTES"] = 1000
        upload = _zip({"imsmanifest.xml": SCORM12, "one.html": os.urandom(3000)})
        code = "too_large"
    elif case == "too_much_unpacked":
        limits["JOURNEY_IMPORT_MAX_TOTAL_BYTES"] = 5000
        upload = _zip(
            {
                "imsmanifest.xml": SCORM12,
                **{f"f{i}.html": b"a" * 2000 for i in range(3)},
            }
        )
        code = "total_too_large"
    elif case == "oversized_manifest":
        limits["JOURNEY_IMPORT_MAX_XML_BYTES"] = 100
        upload, code = io.BytesIO(SCORM12), "xml_too_large"
    elif case == "not_a_zip":
        upload, code = io.BytesIO(b"PK\x03\x04 this is not really a zip"), "not_zip"
    elif case == "no_manifest":
        upload, code = _zip({"readme.txt": b"hello"}), "no_manifest"
    elif case == "too_many_steps":
        limits["JOURNEY_IMPORT_MAX_STEPS"] = 2
        upload, code = io.BytesIO(SCORM12), "too_many_steps"
    elif case == "javascript_link":
        upload = _cartridge_with_step(
            _step_value(
                {
                    "type": "links",
                    "value": {
                        "heading": "x",
                        "links": [
                            {
                                "title": "x",
                                "url": "javascript:alert(1)",
                                "description": "",
                            }
                        ],
                    },
                },
                {"type": "paragraph", "value": "<p>ok</p>"},
            ),
        )
        code = "invalid_step"
    elif case == "bad_choice_value":
        value = _step_value()
        value["audience"] = "everyone"
        upload, code = _cartridge_with_step(value), "invalid_step"
    elif case == "unknown_block":
        upload = _cartridge_with_step(_step_value({"type": "raw_html", "value": "x"}))
        code = "unknown_block"
    elif case == "executable_document":
        upload = _cartridge_with_step(
            _step_value(
                {"type": "paragraph", "value": "<p>first a file is saved</p>"},
                {
                    "type": "document",
                    "value": {
                        "document": {"file": "s/ok.pdf", "title": "ok"},
                        "title": "",
                        "description": "",
                    },
                },
                {
                    "type": "document",
                    "value": {
                        "document": {"file": "s/run.exe", "title": "run"},
                        "title": "",
                        "description": "",
                    },
                },
            ),
            extra={"s/ok.pdf": b"%PDF", "s/run.exe": b"MZ"},
        )
        code = "file_type"
    elif case == "fake_image":
        upload = _cartridge_with_step(
            _step_value(
                {
                    "type": "image",
                    "value": {
                        "image": {"file": "s/a.png", "title": "a"},
                        "alt_text": "a",
                        "decorative": False,
                    },
                }
            ),
            extra={"s/a.png": b"not a png"},
        )
        code = "bad_image"
    elif case == "missing_file":
        upload = _cartridge_with_step(
            _step_value(
                {
                    "type": "document",
                    "value": {
                        "document": {"file": "s/../../etc/passwd.pdf", "title": "x"},
                        "title": "",
                        "description": "",
                    },
                }
            )
        )
        code = "missing_file"
    else:  # pragma: no cover
        raise AssertionError(case)
    settings.WAGTAIL_MENTORING = limits
    return upload, code


HOSTILE = [
    "xxe",
    "external_dtd",
    "billion_laughs",
    "billion_laughs_utf16",
    "xxe_in_zip",
    "hostile_weblink",
    "malformed",
    "not_manifest",
    "zip_slip",
    "absolute_path",
    "backslash_path",
    "symlink",
    "too_many_entries",
    "oversized_file",
    "oversized_archive",
    "too_much_unpacked",
    "oversized_manifest",
    "not_a_zip",
    "no_manifest",
    "too_many_steps",
    "javascript_link",
    "bad_choice_value",
    "unknown_block",
    "executable_document",
    "fake_image",
    "missing_file",
]


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_packages_are_refused_and_nothing_is_created(
    case, hub, superuser, settings, media
):
    upload, code = _hostile(case, settings)
    before = (Page.objects.count(), Document.objects.count(), Image.objects.count())
    with pytest.raises(MentoringError) as error:
        services.import_journey(hub, upload, superuser)
    assert error.value.code == code, error.value.messages
    message = error.value.messages[0]
    assert message and "root:" not in message  # never /etc/passwd content
    assert (
        Page.objects.count(),
        Document.objects.count(),
        Image.objects.count(),
    ) == before
    assert _files(media) == []


def test_journey_cannot_be_imported_under_a_program(program, superuser):
    with pytest.raises(MentoringError) as error:
        services.import_journey(program, io.BytesIO(SCORM12), superuser)
    assert error.value.code == "bad_parent"
    assert not LearningJourneyPage.objects.exists()
