"""The admins' payments forms: the shape of what they type (amounts in major units, dates
in their time zone); services.create_plan, create_coupon, … do the validation that matters,
and community.forms.apply_service_errors puts their refusals on the form."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from community.selectors.members import tiers

from .models import Coupon, Plan, WebhookEvent
from .money import major_units, minor_units

POSITIVE_INT_MAX = 2_147_483_647  # the largest redemption limit the database keeps
LAST_DAY = date(9999, 12, 30)  # the end of a later day would not fit a datetime


def _end_of_day(day):
    """A date the admin picked, as the start of the next day in their time zone: access
    lasts through the day they named."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _last_day(**kwargs):
    """A date field for the last day something lasts."""
    return forms.DateField(
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "max": LAST_DAY.isoformat()}, format="%Y-%m-%d"
        ),
        validators=[MaxValueValidator(LAST_DAY, "Pick a day before the year 9999 ends.")],
        **kwargs,
    )


def _most_uses():
    return forms.IntegerField(
        label="Most uses",
        required=False,
        min_value=1,
        max_value=POSITIVE_INT_MAX,
        help_text="Empty: no limit.",
    )


class PlanForm(forms.Form):
    tier = forms.ModelChoiceField(
        label="Tier",
        queryset=None,
        empty_label="Choose a tier",
        help_text="What buying this plan gives. The first plan of a tier makes its Stripe product.",
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Shown on the pricing page, e.g. “Monthly”.",
    )
    amount = forms.DecimalField(
        label="Price",
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="In the currency's main unit, e.g. 20.00 for twenty dollars.",
    )
    currency = forms.CharField(
        label="Currency",
        max_length=3,
        min_length=3,
        initial="usd",
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "off"}),
        help_text="Three letters, e.g. usd, eur.",
    )
    interval = forms.ChoiceField(label="Billing", choices=Plan.Interval.choices, initial="month")
    trial_days = forms.IntegerField(
        label="Trial days",
        min_value=0,
        max_value=730,
        initial=0,
        help_text="Free days before the first charge; recurring plans only.",
    )
    active = forms.BooleanField(
        label="For sale", required=False, initial=True, help_text="Inactive plans are not sold."
    )
    position = forms.IntegerField(
        label="Position",
        min_value=0,
        initial=0,
        help_text="Lower numbers come first on the pricing page.",
    )

    def __init__(self, *args, plan=None, **kwargs):
        if plan is not None:
            kwargs["initial"] = {
                **{name: getattr(plan, name) for name in self.base_fields if name != "tier"},
                "amount": major_units(plan.amount, plan.currency),
            }
        super().__init__(*args, **kwargs)
        if plan is None:
            self.fields["tier"].queryset = tiers()
        else:
            del self.fields["tier"]  # a plan stays with its tier: make another plan instead

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().lower()

    def service_kwargs(self):
        """The cleaned values as the service takes them (amount in minor units); on edit,
        only what changed."""
        data = dict(self.cleaned_data)
        data["amount"] = minor_units(data["amount"], data["currency"])
        if "tier" in self.fields:
            return data
        changed = set(self.changed_data)
        if "currency" in changed:
            changed.add("amount")  # the same digits mean another amount in another currency
        return {name: value for name, value in data.items() if name in changed}


class CouponForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=40,
        help_text="Members see it on Checkout and their invoices, e.g. “Launch week”.",
    )
    percent_off = forms.DecimalField(
        label="Percent off",
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="Either a percent…",
    )
    amount_off = forms.DecimalField(
        label="Amount off",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="…or an amount, in the currency's main unit (5.00), with its currency.",
    )
    currency = forms.CharField(
        label="Currency",
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4, "placeholder": "usd"}),
    )
    duration = forms.ChoiceField(
        label="Applies",
        choices=Coupon.Duration.choices,
        initial=Coupon.Duration.ONCE,
        widget=forms.RadioSelect,
    )
    duration_in_months = forms.IntegerField(
        label="Months",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Only for “For some months”: how many months the discount repeats.",
    )
    max_redemptions = _most_uses()
    redeem_by = _last_day(label="Last day to use it", help_text="Empty: no end.")

    def clean(self):
        data = super().clean()
        given = [data.get(name) is not None for name in ("percent_off", "amount_off")]
        if (
            not any(given)
            and not self.has_error("percent_off")
            and not self.has_error("amount_off")
        ):
            self.add_error("percent_off", "Give a percent off, or an amount off with its currency.")
        return data

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["currency"] = data["currency"].strip().lower()
        data["amount_off"] = minor_units(data["amount_off"], data["currency"])
        data["redeem_by"] = _end_of_day(data["redeem_by"])
        return data


class PromotionCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=200,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "placeholder": "SPRING-25"}),
        help_text="What members type at Checkout: letters, digits and dashes.",
    )
    max_redemptions = _most_uses()
    expires_at = _last_day(label="Last day to use it", help_text="Empty: no end.")

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["expires_at"] = _end_of_day(data["expires_at"])
        return data


class GrantForm(forms.Form):
    tier = forms.ModelChoiceField(label="Tier", queryset=None, empty_label="Choose a tier")
    ends_at = _last_day(
        label="Last day (optional)",
        help_text="Access lasts through this day. Empty: no end, until revoked.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Why: kept with the grant and in the audit log.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = tiers()

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["ends_at"] = _end_of_day(data["ends_at"])
        return data


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label="Email or name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class EventFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "Any state"), *WebhookEvent.State.choices]
    )
    q = forms.CharField(
        label="Event or object id",
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "evt_… or sub_…"}),
    )
