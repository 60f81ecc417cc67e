"""Reading untrusted packages: XML without DTDs or entities, zips without tricks.

Uploaded packages come from outside the company (course vendors, other LMSs),
so every check here refuses with a message an editor understands, before
anything is written. Nothing is ever extracted to disk: members are read into
memory, bounded by the configured limits, and only by the names checked here.
"""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import PurePosixPath

from django.utils.translation import gettext as _
from lxml import etree

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError

# Anything that starts a document type declaration or declares an entity, in
# the encodings a manifest may use; checked before the parser ever runs.
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse(message: str, code: str) -> MentoringError:
    return MentoringError(message, code=code)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _looks_like_dtd(data: bytes) -> bool:
    if _DTD_MARKERS.search(data):
        return True
    # UTF-16/32 manifests hide the markers from a byte search: decode them.
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            text = data.decode(encoding, errors="ignore")
            return bool(re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE))
    return False


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML; DTDs, entities, network access and huge trees refused."""
    limit = mentoring_settings.JOURNEY_IMPORT_MAX_XML_BYTES
    if len(data) > limit:
        raise refuse(
            _("%(name)s is larger than %(limit)d KB; it was not imported.")
            % {"name": name, "limit": limit // 1024},
            "xml_too_large",
        )
    if _looks_like_dtd(data):
        raise refuse(
            _(
                "%(name)s contains a document type declaration (DOCTYPE or "
                "ENTITY). Those are not allowed in packages, for security; "
                "nothing was imported."
            )
            % {"name": name},
            "doctype",
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise refuse(
            _("%(name)s is not well-formed XML (%(error)s); nothing was imported.")
            % {"name": name, "error": error.msg},
            "malformed",
        )
    tree = root.getroottree()
    # Belt and braces: the byte scan above should have caught these already.
    if (
        tree.docinfo.doctype
        or tree.docinfo.internalDTD is not None
        or next(root.iter(etree.Entity), None) is not None
    ):
        raise refuse(
            _("%(name)s declares a DTD or entities; nothing was imported.")
            % {"name": name},
            "doctype",
        )
    return root


def _safe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return False
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


class SafeZip:
    """A zip archive checked for path tricks, bombs and size before use."""

    def __init__(self, fileobj):
        limits = mentoring_settings
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(0)
        if size > limits.JOURNEY_IMPORT_MAX_UPLOAD_BYTES:
            raise refuse(
                _("The package is larger than %(mb)d MB; nothing was imported.")
                % {"mb": limits.JOURNEY_IMPORT_MAX_UPLOAD_BYTES // 2**20},
                "too_large",
            )
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise refuse(
                _("The file is not a valid zip package; nothing was imported."),
                "not_zip",
            )
        if len(infos) > limits.JOURNEY_IMPORT_MAX_ENTRIES:
            raise refuse(
                _(
                    "The package has %(n)d files, more than the %(max)d allowed; "
                    "nothing was imported."
                )
                % {"n": len(infos), "max": limits.JOURNEY_IMPORT_MAX_ENTRIES},
                "too_many_entries",
            )
        total = 0
        self._read_total = 0
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if not _safe_name(name):
                raise refuse(
                    _(
                        "The package contains a file with an unsafe path "
                        "(%(name)s); nothing was imported."
                    )
                    % {"name": name[:200]},
                    "unsafe_path",
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise refuse(
                    _("The package contains a symbolic link (%(name)s).")
                    % {"name": name[:200]},
                    "symlink",
                )
            if info.flag_bits & 0x1:
                raise refuse(
                    _("The package is encrypted; nothing was imported."), "encrypted"
                )
            if info.file_size > limits.JOURNEY_IMPORT_MAX_FILE_BYTES:
                raise refuse(
                    _(
                        "%(name)s is larger than %(mb)d MB once unpacked; nothing "
                        "was imported."
                    )
                    % {
                        "name": name[:200],
                        "mb": limits.JOURNEY_IMPORT_MAX_FILE_BYTES // 2**20,
                    },
                    "file_too_large",
                )
            total += info.file_size
            if total > limits.JOURNEY_IMPORT_MAX_TOTAL_BYTES:
                raise refuse(
                    _(
                        "The package unpacks to more than %(mb)d MB; nothing was "
                        "imported."
                    )
                    % {"mb": limits.JOURNEY_IMPORT_MAX_TOTAL_BYTES // 2**20},
                    "total_too_large",
                )
            if name in self._infos:
                raise refuse(
                    _("The package lists %(name)s twice.") % {"name": name[:200]},
                    "duplicate",
                )
            self._infos[name] = info

    @property
    def names(self) -> list[str]:
        return [n for n in self._infos if not n.endswith("/")]

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """The member's bytes, never more than the per-file limit.

        The sizes in a zip's directory are claims; a crafted archive may lie, so
        the read itself is bounded too.
        """
        info = self._infos.get(name)
        if info is None:
            raise refuse(
                _("The package refers to %(name)s, which it does not contain.")
                % {"name": name[:200]},
                "missing_file",
            )
        limit = mentoring_settings.JOURNEY_IMPORT_MAX_FILE_BYTES
        try:
            with self._zip.open(info) as member:
                data = member.read(limit + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise refuse(
                _("%(name)s in the package is damaged; nothing was imported.")
                % {"name": name[:200]},
                "damaged",
            )
        self._read_total += len(data)
        if (
            len(data) > limit
            or len(data) > info.file_size
            or self._read_total > mentoring_settings.JOURNEY_IMPORT_MAX_TOTAL_BYTES
        ):
            raise refuse(
                _("%(name)s is larger than it claims; nothing was imported.")
                % {"name": name[:200]},
                "file_too_large",
            )
        return data


def is_zip(fileobj) -> bool:
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    return head.startswith(b"PK")
