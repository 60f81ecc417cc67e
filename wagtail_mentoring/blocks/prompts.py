"""Conversation prompts a program suggests for every meeting's agenda."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class ConversationPromptBlock(blocks.StreamBlock):
    prompt = blocks.CharBlock(
        max_length=300,
        label=_("Prompt"),
        help_text=_("A question the pair can talk about, e.g. 'What energised you?'"),
    )

    class Meta:
        icon = "help"
        label = _("Conversation prompts")
