import functools

from community.access import is_active_member

from .selectors import score_of


def score(request):
    """The signed-in member's points and level for the header: lazy (functools.cache, as
    community.context_processors does), so one query, run only by pages that show the
    header. A view that has the score already passes its own `header_score` instead."""
    user = getattr(request, "user", None)
    if not is_active_member(user):
        return {"header_score": None}
    return {"header_score": functools.cache(functools.partial(score_of, user))}
