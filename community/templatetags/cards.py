"""Template side of community.cards: write a list of cards, and mark in a card's template
what differs per viewer.

    {% cards "post" posts %}                      the cards of a list, one cache read
    {% card "post" post variant="page" %}         one card
    {% viewer_slot "next" %}                      a per-request value
    {% viewer_section "edit" %}…{% end_viewer_section %}             kept for some viewers
    {% viewer_section "liked" %}Liked{% else %}Like{% end_viewer_section %}
"""

from django import template
from django.utils.safestring import mark_safe

from community import cards as card_kinds

register = template.Library()


@register.simple_tag(takes_context=True)
def cards(context, kind, objects, variant=""):
    rendered = card_kinds.render_cards(
        context["request"], card_kinds.kinds[kind], objects, variant=variant
    )
    return mark_safe("".join(rendered))  # noqa: S308 - each card is safe already


@register.simple_tag(takes_context=True)
def card(context, kind, obj, variant=""):
    return cards(context, kind, [obj], variant)


@register.simple_tag
def viewer_slot(name):
    return card_kinds.slot(name)


class ViewerSectionNode(template.Node):
    def __init__(self, name, kept, dropped):
        self.name, self.kept, self.dropped = name, kept, dropped

    def render(self, context):
        html = card_kinds.section(self.name, self.kept.render(context))
        if self.dropped is not None:
            html += card_kinds.section(f"not_{self.name}", self.dropped.render(context))
        return html


@register.tag
def viewer_section(parser, token):
    """Kept for a viewer whose state has `name` true; the `{% else %}` part (if any) for
    the others (the state's `not_<name>` is filled in by community.cards)."""
    try:
        _tag, quoted = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("viewer_section takes one quoted name") from None
    name = quoted.strip("\"'")
    kept = parser.parse(("else", "end_viewer_section"))
    dropped = None
    if parser.next_token().contents == "else":
        dropped = parser.parse(("end_viewer_section",))
        parser.delete_first_token()
    return ViewerSectionNode(name, kept, dropped)
