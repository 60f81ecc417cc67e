"""Forms of community spaces; services check the limits and say what is wrong."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

BODY_HELP = _(
    "Markdown works: **bold**, *italic*, [a link](https://…), lists, `code`. "
    "Mention a member with @ and their sign-in name."
)


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False)
    body = forms.CharField(
        label=_("What would you like to discuss?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )
    is_question = forms.BooleanField(
        label=_("This is a question (someone's reply can be marked as the answer)"),
        required=False,
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=BODY_HELP,
    )


class EditForm(ReplyForm):
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("A word for the moderators (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    handle = forms.CharField(
        label=_("Sign-in name of the colleague to invite"), required=False
    )
