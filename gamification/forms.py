"""The admins' forms for point rules and the level ladder. They read the input only: the
services (update_rule, save_levels) validate and write, and their refusals go back on
these forms."""

from django import forms

from .models import POINTS_MAX, THRESHOLD_MAX


class RuleForm(forms.Form):
    """One rule: what its action is worth and whether it earns anything. Prefixed by the
    action, so that each rule's form on the page is posted and answered on its own."""

    points = forms.IntegerField(
        label="Points",
        min_value=0,
        max_value=POINTS_MAX,
        error_messages={"min_value": "No negative values: a penalty is a moderation tool."},
    )
    active = forms.BooleanField(label="Earns points", required=False)

    def __init__(self, *args, rule, **kwargs):
        kwargs.setdefault("initial", {"points": rule.points, "active": rule.active})
        super().__init__(*args, prefix=rule.action, **kwargs)


class LevelForm(forms.Form):
    """One rung of the ladder. `id` is the level it edits (empty for a new one)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=50)
    threshold = forms.IntegerField(label="Points needed", min_value=0, max_value=THRESHOLD_MAX)
    colour = forms.RegexField(
        label="Colour",
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#6b7280",
        error_messages={"invalid": "A colour is written #rrggbb, e.g. #2a9d8f."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    unlocks_tier = forms.TypedChoiceField(
        label="Unlocks tier", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The tiers are read once for the whole ladder (a ModelChoiceField per row would
        # read them once per row).
        self.tiers = {tier.pk: tier for tier in tiers}
        self.fields["unlocks_tier"].choices = [("", "Nothing")] + [
            (tier.pk, tier.name) for tier in tiers
        ]

    def row(self):
        """The level as save_levels takes it."""
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "name": data["name"],
            "threshold": data["threshold"],
            "colour": data["colour"],
            "unlocks_tier": self.tiers.get(data.get("unlocks_tier")),
        }


class BaseLadderFormSet(forms.BaseFormSet):
    def kept_forms(self):
        """The rows to save, in the order shown: blank new rows and removed rows left out."""
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not self._should_delete_form(form)
            and (form.has_changed() or form.cleaned_data.get("id"))
        ]

    def rows(self):
        return [form.row() for form in self.kept_forms()]

    def clean(self):
        """Marks the row whose threshold is out of order beside the field (save_levels
        refuses such a ladder too, naming the level, above the form)."""
        if any(self.errors):
            return
        before = None
        for form in self.kept_forms():
            threshold = form.cleaned_data["threshold"]
            if before is None and threshold != 0:
                form.add_error("threshold", "The first level starts at 0 points.")
            elif before is not None and threshold <= before["threshold"]:
                same = "the same as" if threshold == before["threshold"] else "lower than"
                form.add_error(
                    "threshold",
                    f"{threshold} is {same} the level above ({before['name']}, "
                    f"{before['threshold']}): each level needs more points than the one before.",
                )
            before = {"name": form.cleaned_data["name"], "threshold": threshold}


LadderFormSet = forms.formset_factory(
    LevelForm, formset=BaseLadderFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)


def ladder_initial(levels):
    return [
        {
            "id": level.pk,
            "name": level.name,
            "threshold": level.threshold,
            "colour": level.colour,
            "unlocks_tier": level.unlocks_tier_id,
        }
        for level in levels
    ]
