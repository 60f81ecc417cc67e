"""Rich content blocks for program and hub pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

#: Our blocks preview in the block picker with the package's own styles.
PREVIEW_TEMPLATE = "wagtail_mentoring/blocks/preview.html"


class DocumentValue(blocks.StructValue):
    @property
    def link_text(self) -> str:
        document = self.get("document")
        return self.get("title") or (document.title if document else "")


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[
            ("info", _("Information")),
            ("tip", _("Tip")),
            ("warning", _("Warning")),
        ],
        default="info",
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link"])

    class Meta:
        icon = "info-circle"
        label = _("Callout")
        description = _("A highlighted tip, note or warning.")
        template = "wagtail_mentoring/blocks/callout.html"
        preview_value = {"tone": "tip", "text": "<p>Meet at least once a month.</p>"}
        preview_template = PREVIEW_TEMPLATE


class DocumentBlock(blocks.StructBlock):
    """A file from the document library, with an optional description."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        required=False,
        label=_("Link text"),
        help_text=_("Leave empty to use the document's title."),
    )
    description = blocks.TextBlock(required=False, rows=2, label=_("Description"))

    class Meta:
        icon = "doc-full-inverse"
        label = _("Document")
        template = "wagtail_mentoring/blocks/document.html"
        value_class = DocumentValue
        description = _("A file people download from the document library.")
        # No document exists in every site, so the preview shows the placeholder.
        preview_value = {
            "title": "Career conversation worksheet (PDF)",
            "description": "Print it or fill it in before you meet.",
        }
        preview_template = PREVIEW_TEMPLATE


class ResourceLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    url = blocks.URLBlock(label=_("Address"))
    description = blocks.CharBlock(required=False, label=_("Why read it"))

    class Meta:
        icon = "link-external"
        label = _("Link")


class ResourceLinksBlock(blocks.StructBlock):
    """Further reading: a short list of links with a reason for each."""

    heading = blocks.CharBlock(
        required=False, default=_("Further reading"), label=_("Heading")
    )
    links = blocks.ListBlock(ResourceLinkBlock(), min_num=1, label=_("Links"))

    class Meta:
        icon = "link"
        label = _("Resource links")
        template = "wagtail_mentoring/blocks/resource_links.html"
        description = _("Articles, videos or intranet pages worth a look.")
        preview_value = {
            "heading": "Further reading",
            "links": [
                {
                    "title": "The GROW coaching model",
                    "url": "https://en.wikipedia.org/wiki/GROW_model",
                    "description": "A simple structure for your first sessions.",
                }
            ],
        }
        preview_template = PREVIEW_TEMPLATE


class ContentBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        icon="title",
        form_classname="title",
        template="wagtail_mentoring/blocks/heading.html",
        preview_value="Why join",
        preview_template=PREVIEW_TEMPLATE,
    )
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        preview_value="<p>Grow with a mentor from another team.</p>",
        preview_template=PREVIEW_TEMPLATE,
    )
    image = ImageBlock(required=False)
    embed = EmbedBlock(icon="media", help_text=_("A video or other embeddable URL."))
    quote = blocks.BlockQuoteBlock(
        icon="openquote",
        preview_value="My mentor changed how I lead.",
        preview_template=PREVIEW_TEMPLATE,
    )
    callout = CalloutBlock()
    document = DocumentBlock()
    links = ResourceLinksBlock()

    class Meta:
        icon = "doc-full"
