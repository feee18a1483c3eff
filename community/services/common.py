from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import slugify

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
    (one query) and its #hashtags linked.

    The HTML is stored once and shown to every viewer, so a mention is linked only when the
    member's profile is public (anyone who can see the post may open it). A private member's
    @handle stays plain text for everyone, moderators included (they find the member in the
    admin); it still counts as a mention (`mention_ids`), so the member is notified. When a
    member changes their profile visibility, `tasks.rerender_mentions_of` renders again the
    posts and comments that mention them.
    """
    handles, hashtags = find_mentions_and_hashtags(text)
    members = {
        member.handle: member
        for member in User.objects.filter(handle__in=handles, is_active=True).only(
            "id", "handle", "profile_visibility"
        )
    }

    def link_member(handle):
        member = members.get(handle)
        if member is None or member.profile_visibility != User.Visibility.PUBLIC:
            return None
        return reverse("community:profile", args=[member.pk])

    def link_tag(name):
        return reverse("community:hashtag", args=[name])

    html = render_rich_text(text, link_member=link_member, link_tag=link_tag)
    return RenderedBody(
        html=html,
        mention_ids=[members[h].pk for h in handles if h in members],
        hashtags=hashtags,
    )


def unique_slug(queryset, text, *, noun, max_length, reserved=(), exclude=None):
    """A slug of `text` that no row of `queryset` (but `exclude`'s pk) has, numbered when
    taken ("intro", "intro-2"); one that would shadow a path (`reserved`) gets `-<noun>`."""
    base = slugify(text)[: max_length - 10] or noun
    if base in reserved:
        base = f"{base}-{noun}"
    others = queryset.exclude(pk=exclude) if exclude else queryset
    slug, n = base, 1
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
