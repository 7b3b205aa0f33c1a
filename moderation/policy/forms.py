"""The thresholds page's form: one hold and one reject field per toxicity label, the policy's
switches, the preview size. Validation of the rule itself (hold <= reject, labels) stays in
services.policy_clean, so the page and the API refuse the same drafts for the same reasons."""
from __future__ import annotations

from django import forms

from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.models import Policy
from moderation.policy.selectors import PREVIEW_DEFAULT_N, PREVIEW_MAX_N
from moderation.policy.services import NOTE_MAX_CHARS


def _cutoff_field(label: str, which: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{label} {which}",
        min_value=0,
        max_value=1,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": f"cutoff-input cutoff-{which}"}),
    )


class PolicyForm(forms.Form):
    premoderate_all = forms.BooleanField(required=False, label="Pre-moderate every comment (site-wide)")
    on_failure = forms.ChoiceField(choices=Policy.OnFailure.choices, label="When classification fails")
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note (why this change)",
    )
    rules_off = forms.MultipleChoiceField(
        required=False, choices=list(rules.WORKER_RULES.items()), widget=forms.CheckboxSelectMultiple,
        label="Switch off these worker rules (each holds a comment whatever its scores)",
    )
    publish_languages = forms.CharField(
        required=False, max_length=200,
        label="Publish anyway in these languages (ISO 639-1 codes, e.g. 'de, fr'), though the toxicity model does not read them",
    )
    acknowledge_warnings = forms.BooleanField(
        required=False,
        label="I have seen the preview's warnings: save even though it would publish comments it warns about",
    )
    # Not required: saving does not need it, and an empty box previews the default.
    n = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=PREVIEW_MAX_N,
        initial=PREVIEW_DEFAULT_N,
        label="Preview on the last N scored comments",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for label in TOXICITY_LABELS:
            self.fields[f"{label}__hold"] = _cutoff_field(label, "hold")
            self.fields[f"{label}__reject"] = _cutoff_field(label, "reject")

    @staticmethod
    def initial_from(policy: Policy) -> dict:
        initial = {
            "premoderate_all": policy.premoderate_all,
            "on_failure": policy.on_failure,
            "rules_off": list(policy.rules_off),
            "publish_languages": ", ".join(policy.publish_languages),
            "n": PREVIEW_DEFAULT_N,
        }
        for label, cut in policy.thresholds.items():
            initial[f"{label}__hold"] = cut["hold"]
            initial[f"{label}__reject"] = cut["reject"]
        return initial

    def label_rows(self, targets=None):
        """(label, hold field, reject field, its LabelTarget or None) for the template's table."""
        targets = targets or {}
        return [(label, self[f"{label}__hold"], self[f"{label}__reject"], targets.get(label)) for label in TOXICITY_LABELS]

    def languages(self) -> list[str]:
        """The codes typed (services.policy_clean validates them, naming the field)."""
        return [code.strip() for code in self.cleaned_data.get("publish_languages", "").replace(";", ",").split(",") if code.strip()]

    def thresholds(self) -> dict[str, dict[str, float]]:
        data = self.cleaned_data
        return {
            label: {"hold": float(data[f"{label}__hold"]), "reject": float(data[f"{label}__reject"])}
            for label in TOXICITY_LABELS
        }
