"""Pages of post cards: the home feed, a space, a hashtag; composing, editing and the
moderation buttons on a card. Thin: selectors read, services write, access decides."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from community import access, card_kinds, cards, selectors, services
from community.forms import EditPostForm, PostForm, apply_service_errors
from community.pagination import encode_cursor
from community.selectors import sidebar as space_selectors
from community.selectors.feed import KIND_LABELS, TABS

from .common import form_status, page_url, safe_next_url

TAB_LABELS = {"all": "All", "following": "Following", "popular": "Popular"}


def _post_url(post):
    return reverse("community:post", args=[post.pk])


def _params(request):
    return {
        "tab": request.GET.get("tab") or "all",
        "space": request.GET.get("space") or None,
        "kind": request.GET.get("kind") or None,
    }


def _newest_cursor(posts):
    newest = max(posts, key=lambda p: (p.created_at, p.pk), default=None)
    if newest is None:
        return encode_cursor([timezone.now(), 0])
    return encode_cursor([newest.created_at, newest.pk])


def _cards_response(request, posts, *, after):
    """Cards newer than `after`, for the "new posts" marker (with the new newest cursor)."""
    response = render(request, "community/feed/_cards.html", {"posts": posts})
    response["X-Newest-Cursor"] = _newest_cursor(posts) if posts else after
    return response


def _compose(request, *, space=None, spaces=None):
    """Handles a compose form POST; returns (form, redirect or None)."""
    form = PostForm(request.POST, request.FILES, spaces=spaces)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    target = space or next((s for s in spaces if s.slug == data["space"]), None)
    try:
        services.create_post(request.user, space=target, body=data["body"],
                             title=data["title"], image=data["image"])  # fmt: skip
    except ValidationError as error:
        apply_service_errors(form, error)
        return form, None
    except (PermissionDenied, Http404):
        form.add_error("space" if spaces is not None else None, "You may not post in this space.")
        return form, None
    messages.success(request, "Your post is live.")
    return form, redirect(request.get_full_path())


def _render_page(request, template, context, *, page_error=None):
    status = 200
    form = context.get("form")
    if page_error or (form is not None and form.errors):
        status = 400
    context["page_error"] = page_error
    if request.htmx and not page_error and request.method == "GET":
        return render(request, "community/feed/_page.html", context)
    return render(request, template, context, status=status)


def _is_new_member(user):
    """Greeted as new (not "Welcome back") on the first day after joining."""
    if not user.is_authenticated:
        return False
    return timezone.now() - user.created_at < timedelta(days=1)


def feed(request):
    """The home feed: every visible space, tabs All / Following / Popular, filters."""
    params = _params(request)
    # The layout's sidebar reads the same list (one query for both); locked spaces are only
    # listed there.
    spaces = [s for s in space_selectors.request_spaces(request) if not s.is_locked]
    postable = [space for space in spaces if access.can_post_in_space(request.user, space)]
    form = PostForm(spaces=postable)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form, done = _compose(request, spaces=postable)
        if done:
            return done
    if request.GET.get("newer"):
        try:
            posts = selectors.newer_posts(request.user, after=request.GET["newer"], **params)
        except ValidationError:
            return HttpResponse("This link is not valid.", status=400)
        return _cards_response(request, posts, after=request.GET["newer"])
    context = {"form": form, "spaces": spaces, "postable": postable, "params": params,
               "tabs": [(tab, TAB_LABELS[tab]) for tab in TABS],
               "kinds": KIND_LABELS.items(), "posts": [], "next_url": None,
               "live_topics_list": [],
               "new_member": _is_new_member(request.user)}  # fmt: skip
    live_spaces = [s for s in spaces if not params["space"] or s.slug == params["space"]]
    if request.user.is_authenticated:  # the socket serves members only
        context["live_topics_list"] = [f"space:{s.pk}" for s in live_spaces]
    try:
        page = selectors.feed(request.user, cursor=request.GET.get("cursor"), spaces=spaces,
                              **params)  # fmt: skip
    except ValidationError as error:
        return _render_page(request, "community/feed/feed.html", context,
                            page_error=" ".join(error.messages))  # fmt: skip
    context["posts"] = page.items
    context["next_url"] = page_url(request, cursor=page.next_cursor) if page.next_cursor else None
    if params["tab"] != "popular" and not request.GET.get("cursor") and context["live_topics_list"]:
        context["newest_cursor"] = _newest_cursor(page.items)
        context["newer_url"] = page_url(request)
    return _render_page(request, "community/feed/feed.html", context)


def _locked_space(request, space):
    """A paid space the member may not enter: what it is and how to get in, no posts."""
    try:  # the pricing page, once the payments app registers it
        pricing_url = reverse("payments:pricing")
    except NoReverseMatch:
        pricing_url = None
    context = {"space": space, "pricing_url": pricing_url,
               **space_selectors.locked_space_summary(space)}  # fmt: skip
    status = 200 if request.method == "GET" and not request.GET.get("newer") else 403
    return render(request, "community/feed/space_locked.html", context, status=status)


def space(request, slug):
    """One space: its header, the compose form if the viewer may post, pinned posts first.
    A paid space the member may not enter shows what it holds and how to get in."""
    space, locked = space_selectors.space_page(request.user, slug)
    if locked:
        return _locked_space(request, space)
    can_post = access.can_post_in_space(request.user, space)
    form = PostForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form, done = _compose(request, space=space)
        if done:
            return done
    if request.GET.get("newer"):
        try:
            posts = selectors.newer_posts(request.user, after=request.GET["newer"], space=slug)
        except ValidationError:
            return HttpResponse("This link is not valid.", status=400)
        return _cards_response(request, [p for p in posts if not p.pinned_at],
                               after=request.GET["newer"])  # fmt: skip
    context = {"space": space, "form": form, "can_post": can_post, "pinned": [], "posts": [],
               "next_url": None, "live_topics_list": []}  # fmt: skip
    if request.user.is_authenticated:  # the socket serves members only
        context["live_topics_list"] = [f"space:{space.pk}"]
    cursor = request.GET.get("cursor")
    try:
        data = selectors.space_feed(request.user, space, cursor=cursor)
    except ValidationError as error:
        return _render_page(request, "community/feed/space.html", context,
                            page_error=" ".join(error.messages))  # fmt: skip
    if not request.htmx and request.method == "GET":
        # The space as the layout's sidebar reads it (one query for both) carries the
        # member's last visit and unread marker, so visit_space skips a write less than a
        # minute old; the sidebar then shows the open space as read, as the task will leave it.
        listed = next((s for s in space_selectors.request_spaces(request) if s.pk == space.pk),
                      space)  # fmt: skip
        services.visit_space(request.user, space=listed)
        listed.has_unread = False
    context.update(pinned=data.pinned, posts=data.items)
    context["next_url"] = page_url(request, cursor=data.next_cursor) if data.next_cursor else None
    if not cursor and context["live_topics_list"]:
        context["newest_cursor"] = _newest_cursor(data.items)
        context["newer_url"] = page_url(request)
    return _render_page(request, "community/feed/space.html", context)


def hashtag(request, name):
    context = {"name": name.lower(), "posts": [], "next_url": None}
    try:
        page = selectors.hashtag_posts(request.user, name, cursor=request.GET.get("cursor"))
    except ValidationError as error:
        return _render_page(request, "community/feed/hashtag.html", context,
                            page_error=" ".join(error.messages))  # fmt: skip
    context["posts"] = page.items
    context["next_url"] = page_url(request, cursor=page.next_cursor) if page.next_cursor else None
    return _render_page(request, "community/feed/hashtag.html", context)


@login_required
def edit_post(request, post_id):
    post = selectors.post_detail(request.user, post_id)
    access.check_can_edit_post(request.user, post)
    text, _line, image_url = services.posts.split_image(post.body)
    form = EditPostForm(request.POST or None, request.FILES or None, has_image=bool(image_url),
                        initial={"title": post.title, "body": text})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_post(request.user, post=post, body=data["body"], title=data["title"],
                               image=data["image"] or None,
                               remove_image=data.get("remove_image", False))  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(_post_url(post))
    context = {"form": form, "post": post, "image_url": image_url}
    return render(request, "community/feed/edit.html", context, status=form_status(form))


def _action(service, done_message):
    @login_required
    @require_POST
    def view(request, post_id):
        post = selectors.post_detail(request.user, post_id)
        service(request.user, post=post)
        if service is services.delete_post:
            if request.htmx:
                return HttpResponse("")
            messages.success(request, done_message)
            space_url = reverse("community:space", args=[post.space.slug])
            if (request.POST.get("next") or "").startswith(f"/posts/{post.pk}/"):
                return redirect(space_url)  # the post's own page is gone
            return redirect(safe_next_url(request, space_url))
        if request.htmx:
            post = selectors.post_detail(request.user, post.pk)
            return HttpResponse(cards.render_cards(request, card_kinds.POST, [post]))
        messages.success(request, done_message)
        return redirect(safe_next_url(request, _post_url(post)))

    return view


delete_post = _action(services.delete_post, "The post is deleted.")
hide_post = _action(services.hide_post, "The post is hidden from members.")
unhide_post = _action(services.unhide_post, "The post is visible again.")
pin_post = _action(services.pin_post, "The post is pinned to the top of its space.")
unpin_post = _action(services.unpin_post, "The post is unpinned.")
