from django import forms
from django.conf import settings


class CommentForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Add to the discussion"}),
        max_length=settings.PARLEY_COMMENT_MAX_LENGTH,
        strip=False,  # stored as typed; the service rejects whitespace-only text
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReportForm(forms.Form):
    reason = forms.CharField(
        max_length=settings.PARLEY_REPORT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What is wrong with this comment?"}),
    )


class RegisterForm(forms.Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{3,150}$", help_text="3-150 letters, digits and @/./+/-/_")
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)


class AppealForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=settings.PARLEY_APPEAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Why should a moderator look again? (optional)"}),
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, delete my account", error_messages={"required": "Tick the box to confirm."})
    remove_comments = forms.BooleanField(
        required=False, label="Also remove the text of my comments (otherwise they stay, shown as by “deleted user”)")
