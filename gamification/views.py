"""The leaderboard page, the score panel on profiles, and the admins' pages for point rules
and the level ladder. Thin: selectors read, services (update_rule, save_levels) validate and
write, and their refusals go back on the forms (400).

The admins' pages answer a 403 to everyone else, signed in or not (as the events' do):
community.access.check_can_administer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from community.access import check_can_administer, is_active_member
from community.forms import apply_service_errors
from community.selectors.members import tiers as community_tiers
from community.views.common import form_status

from .forms import LadderFormSet, RuleForm, ladder_initial
from .models import Level, PointRule
from .periods import period_start
from .selectors import (
    PERIODS,
    BoardRow,
    leaderboard,
    points_in,
    rank_of,
    score_of,
)
from .services.levels import save_levels
from .services.rules import update_rule

TOP = 20  # rows on a board; the viewer's own row is added below when they are further down

PERIOD_TABS = [("all", "All time"), ("month", "This month"), ("week", "This week")]


# --- The leaderboard ----------------------------------------------------------------------


@login_required
def leaderboard_page(request):
    """One board (?period=all|month|week). Queries, whatever the number of members: the
    board (1), the viewer's score for their level and the header (1), and for a viewer
    below the top: their rank (2) and, on a week or month board, their points (1)."""
    period = request.GET.get("period", "all")
    if period not in PERIODS:
        period = "all"
    viewer = request.user
    rows = leaderboard(period, limit=TOP)
    mine = score_of(viewer)
    own_row = None
    in_top = any(row.member.pk == viewer.pk for row in rows)
    if not in_top and is_active_member(viewer):
        points = mine.points if period == "all" else points_in(viewer, period)
        rank = rank_of(viewer, period, points=points)
        if rank is not None:
            own_row = BoardRow(rank, viewer, mine.level, points)
    context = {
        "period": period,
        "tabs": PERIOD_TABS,
        "period_label": dict(PERIOD_TABS)[period],
        "period_start": None if period == "all" else period_start(period),
        "rows": rows,
        "own_rows": [own_row] if own_row else [],
        "in_top": in_top,
        "levels": _distinct_levels([*rows, own_row] if own_row else rows),
        "header_score": mine,  # the header reads this instead of its own query
    }
    return render(request, "gamification/leaderboard.html", context)


def _distinct_levels(rows):
    """The levels the rows show, once each, for the page's colour rules."""
    found = {}
    for row in rows:
        if row.level is not None:
            found[row.level.pk] = row.level
    return list(found.values())


# --- The score panel on a profile (registered in apps.py) -----------------------------------


def profile_panel(request, member):
    """Points, level, progress to the next level and all-time rank: one query."""
    score = score_of(member, with_rank=True)
    return {"score": score, "rank": score.rank}


# --- The admins' pages --------------------------------------------------------------------


def manage_rules(request):
    """Every rule with its own small form. A POST names the rule it changes (`action`); a
    refusal shows on that rule's form, the others keep their values."""
    check_can_administer(request.user)
    rules = list(PointRule.objects.order_by("action"))
    forms = {rule.action: RuleForm(rule=rule) for rule in rules}
    status = 200
    if request.method == "POST":
        rule = next((r for r in rules if r.action == request.POST.get("action")), None)
        if rule is None:
            messages.error(request, "That rule no longer exists: nothing was changed.")
            return redirect("gamification:manage_rules")
        form = forms[rule.action] = RuleForm(request.POST, rule=rule)
        if form.is_valid():
            try:
                update_rule(request.user, action=rule.action, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"“{rule.get_action_display()}” is saved. It applies to new awards; "
                    "awards already given keep their points.",
                )
                return redirect(f"{request.path}#rule-{rule.action}")
        status = form_status(form)
    context = {"section": "rules", "rules": [(rule, forms[rule.action]) for rule in rules]}
    return render(request, "gamification/manage/rules.html", context, status=status)


def manage_levels(request):
    """The ladder as one form: edit, add and remove rows, saved together by save_levels."""
    check_can_administer(request.user)
    tiers = list(community_tiers())
    if request.method == "POST":
        # Read as sent, rows naming the levels they edit: compared with the ladder as it is
        # now, a ladder changed since the page was shown would shift the rows.
        formset = LadderFormSet(request.POST, form_kwargs={"tiers": tiers}, prefix="levels")
    else:
        initial = ladder_initial(Level.objects.order_by("threshold"))
        formset = LadderFormSet(initial=initial, form_kwargs={"tiers": tiers}, prefix="levels")
    status, refusals = 200, []
    if request.method == "POST":
        if formset.is_valid():
            try:
                save_levels(request.user, levels=formset.rows())
            except ValidationError as error:
                refusals = error.messages
            else:
                messages.success(
                    request,
                    "The levels are saved. Every member's level is being recomputed; "
                    "members who rise get their level-up.",
                )
                return redirect("gamification:manage_levels")
        status = 400
    context = {"section": "levels", "formset": formset, "refusals": refusals}
    return render(request, "gamification/manage/levels.html", context, status=status)
