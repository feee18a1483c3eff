"""Panels that other apps add to a member's profile page, below the follow counts.

An app registers in its AppConfig.ready():
`profile_panels.register_profile_panel("app/_profile_panel.html", context_fn)`, where
`context_fn(request, member)` returns the panel's context (a dict) or None to show nothing.
The profile view renders them in the order they were registered; community never imports
the apps that add them. A panel's context_fn costs a fixed number of queries.
"""

_panels = []  # (template_name, context_fn), in registration order


def register_profile_panel(template_name, context_fn):
    """Declares a panel; registering the same pair twice (a module reload) is harmless."""
    if (template_name, context_fn) not in _panels:
        _panels.append((template_name, context_fn))


def profile_panels(request, member):
    """The panels to show on `member`'s profile for this request: [{"template", "context"}]."""
    shown = []
    for template_name, context_fn in _panels:
        context = context_fn(request, member)
        if context is not None:
            shown.append({"template": template_name, "context": context})
    return shown
