"""Turn a read package into a draft ``LearningJourneyPage`` (all or nothing)."""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from wagtail import blocks
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter
from wagtail.coreutils import find_available_slug
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from wagtail_mentoring.blocks.content import ContentBlock
from wagtail_mentoring.blocks.journey import JourneyStepBlock, JourneyStepsBlock
from wagtail_mentoring.journeys.interchange.reader import (
    DOCUMENT_EXTENSIONS,
    IMAGE_EXTENSIONS,
    Package,
    raw_value,
)
from wagtail_mentoring.journeys.interchange.safety import refuse
from wagtail_mentoring.journeys.interchange.streamdata import is_file_reference, walk
from wagtail_mentoring.journeys.models import LearningJourneyPage

#: Settings a step gets when the package says nothing about them.
STEP_DEFAULTS = {"minutes": 15, "audience": "both", "completion": "check"}
MAX_RICH_TEXT = 200_000


@dataclass
class ImportSummary:
    kind: str
    steps: int
    documents: int
    images: int
    skipped: list[str]


class _Builder:
    def __init__(self, package: Package):
        self.package = package
        self.saved_files: list = []  # (storage, name) to remove if we fail
        self.by_path: dict[str, object] = {}
        self.documents = 0
        self.images = 0
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            self._collection = Collection.get_first_root_node()
        return self._collection

    def leaf(self, block: blocks.Block, raw):
        if isinstance(block, blocks.RichTextBlock):
            if raw is None:
                return ""
            if not isinstance(raw, str) or len(raw) > MAX_RICH_TEXT:
                raise refuse(_("A text in the package is too long."), "bad_data")
            # Wagtail's own whitelist: only the features this block allows survive.
            return EditorHTMLConverter(features=block.features).to_database_format(raw)
        if isinstance(block, blocks.ChooserBlock):
            if not is_file_reference(raw):
                return None  # ids of another site's objects mean nothing here
            return self.file_object(block.model_class, raw)
        if raw is None or isinstance(raw, (str, int, float, bool)):
            return raw
        if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
            return raw
        raise refuse(_("A value in the package has the wrong shape."), "bad_data")

    def file_object(self, model, reference: dict):
        path = reference["file"]
        if path in self.by_path:
            return self.by_path[path]
        archive = self.package.archive
        if archive is None:
            return None
        extension = posixpath.splitext(path)[1].lower()
        title = str(reference.get("title") or posixpath.basename(path))[:255]
        name = posixpath.basename(path)
        if issubclass(model, get_document_model()):
            if extension not in DOCUMENT_EXTENSIONS | IMAGE_EXTENSIONS:
                raise refuse(
                    _("%(name)s is a kind of file that cannot be imported.")
                    % {"name": name},
                    "file_type",
                )
            data = archive.read(path)
            obj = model(title=title, collection=self.collection)
            obj.file.save(name, ContentFile(data), save=False)
            self.saved_files.append((obj.file.storage, obj.file.name))
            obj.file_size = len(data)
            obj._set_file_hash()
            obj.save()
            self.documents += 1
        elif issubclass(model, get_image_model()):
            if extension not in IMAGE_EXTENSIONS:
                raise refuse(
                    _("%(name)s is not an image that can be imported.")
                    % {"name": name},
                    "file_type",
                )
            data = archive.read(path)
            width, height = self._check_image(data, name)
            obj = model(
                title=title, collection=self.collection, width=width, height=height
            )
            obj.file.save(name, ImageFile(io.BytesIO(data), name=name), save=False)
            self.saved_files.append((obj.file.storage, obj.file.name))
            obj.file_size = len(data)
            obj.save()
            self.images += 1
        else:
            return None
        self.by_path[path] = obj
        return obj.pk

    @staticmethod
    def _check_image(data: bytes, name: str) -> tuple[int, int]:
        try:
            with PILImage.open(io.BytesIO(data)) as image:
                image.verify()
                return image.size
        except Exception:  # Pillow raises many types for bad or hostile images
            raise refuse(
                _("%(name)s is not a valid image; nothing was imported.")
                % {"name": name},
                "bad_image",
            )

    def remove_files(self) -> None:
        for storage, name in self.saved_files:
            storage.delete(name)


def _messages(data) -> list[str]:
    """Flatten Wagtail's nested block error data into readable messages."""
    found: list[str] = []
    if isinstance(data, dict):
        for value in data.values():
            found += _messages(value)
    elif isinstance(data, list):
        for value in data:
            found += _messages(value)
    elif isinstance(data, str):
        found.append(data)
    return found


def build_journey(package: Package, parent, by):
    """Create the draft journey page under ``parent``; call inside a transaction.

    On any refusal the files written to storage so far are removed again; the
    caller's transaction rolls back the rows.
    """

    builder = _Builder(package)
    try:
        step_block = JourneyStepBlock()
        raw_steps = [
            {
                "type": "step",
                "value": walk(
                    step_block,
                    raw_value(step, STEP_DEFAULTS),
                    builder.leaf,
                    keep_ids=False,
                ),
            }
            for step in package.steps
        ]
        steps_block = JourneyStepsBlock()
        steps = steps_block.to_python(raw_steps)
        try:
            steps_block.clean(steps)
        except ValidationError as error:
            data = getattr(error, "block_errors", None) or {}
            first = min(data) if data else None
            detail = "; ".join(
                dict.fromkeys(
                    _messages(
                        error.as_json_data() if hasattr(error, "as_json_data") else {}
                    )
                )
            )
            if first is not None:
                message = _(
                    "Step %(n)d (“%(title)s”) cannot be imported: %(detail)s"
                ) % {
                    "n": first + 1,
                    "title": package.steps[first].title,
                    "detail": detail,
                }
            else:
                message = _("The steps cannot be imported: %(detail)s") % {
                    "detail": detail
                }
            raise refuse(message, "invalid_step")
        intro_block = ContentBlock(required=False)
        intro = intro_block.to_python(
            walk(intro_block, package.intro or [], builder.leaf, keep_ids=False)
        )
        try:
            intro_block.clean(intro)
        except ValidationError:
            raise refuse(
                _("The journey's introduction in the package is not valid."),
                "invalid_intro",
            )
        page = LearningJourneyPage(
            title=package.title,
            slug=find_available_slug(parent, slugify(package.title)[:200] or "journey"),
            summary=package.summary[:300],
            intro=intro,
            steps=steps,
            live=False,
            owner=by,
        )
        try:
            parent.add_child(instance=page)
        except ValidationError as error:
            raise refuse(" ".join(error.messages), "invalid_page")
        page.save_revision(user=by, log_action=True)
    except BaseException:
        builder.remove_files()
        raise
    return page, ImportSummary(
        kind=package.kind_label,
        steps=len(package.steps),
        documents=builder.documents,
        images=builder.images,
        skipped=package.skipped,
    )
