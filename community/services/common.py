from dataclasses import dataclass

from django.urls import reverse

from community.models import User
from community.richtext import find_mentions_and_hashtags, render_rich_text


def reject_unknown(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    mention_ids: list
    hashtags: list


def render_body(text):
    """A post's or comment's Markdown rendered with its @mentions resolved to active members
    (one query) and its #hashtags linked."""
    handles, hashtags = find_mentions_and_hashtags(text)
    members = {
        member.handle: member
        for member in User.objects.filter(handle__in=handles, is_active=True).only("id", "handle")
    }

    def link_member(handle):
        member = members.get(handle)
        return reverse("community:profile", args=[member.pk]) if member else None

    def link_tag(name):
        return reverse("community:hashtag", args=[name])

    html = render_rich_text(text, link_member=link_member, link_tag=link_tag)
    return RenderedBody(
        html=html,
        mention_ids=[members[h].pk for h in handles if h in members],
        hashtags=hashtags,
    )
