"""Rich content blocks for program and hub pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


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
        template = "wagtail_mentoring/blocks/callout.html"
        preview_value = {"tone": "tip", "text": "<p>Meet at least once a month.</p>"}


class ContentBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        icon="title",
        form_classname="title",
        template="wagtail_mentoring/blocks/heading.html",
        preview_value="Why join",
    )
    paragraph = blocks.RichTextBlock(
        icon="pilcrow", preview_value="<p>Grow with a mentor from another team.</p>"
    )
    image = ImageBlock(required=False)
    embed = EmbedBlock(icon="media", help_text=_("A video or other embeddable URL."))
    quote = blocks.BlockQuoteBlock(
        icon="openquote", preview_value="My mentor changed how I lead."
    )
    callout = CalloutBlock()

    class Meta:
        icon = "doc-full"
