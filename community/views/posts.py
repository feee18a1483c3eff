"""The post page: the post, its comment threads, comment forms and like buttons.

Every form works without JavaScript (a POST, then a redirect back to the comment, or the
form again with its errors); with htmx the same URLs answer with the fragment that changed.
htmx swaps only 2xx answers, so a form with errors comes back as 200 with HX-Retarget
pointing at that form.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from community import access, card_kinds, cards, selectors, services

THREADS = "community/post/_comments.html#threads"
THREAD_ITEMS = "community/post/_comments.html#thread-items"
BAD_CURSOR = "This page of comments does not exist."


def _context(request, post, *, cursor=None):
    page = selectors.comments_for(request.user, post, cursor=cursor)
    everyone = [reply for comment in page.items for reply in [comment, *comment.thread]]
    rendered = cards.render_cards(request, card_kinds.COMMENT, everyone)
    for comment, card in zip(everyone, rendered, strict=True):
        comment.card = card
    return {
        "post": post,
        "comments": page.items,
        "next_cursor": page.next_cursor,
        "cursor": cursor,
        "comment_total": selectors.comment_total(post),
        "can_comment": access.can_comment(request.user, post),
    }


def _form(post, *, reply_to=None, editing=None):
    """What a comment form needs; the templates pass the same keys to _comment_form.html."""
    if editing is not None:
        return {"form_id": f"edit-{editing.pk}", "label": "Edit your comment", "submit": "Save",
                "action": reverse("community:edit_comment", args=[editing.pk]),
                "target": f"#comment-main-{editing.pk}", "parent_id": None}  # fmt: skip
    action = reverse("community:post_comments", args=[post.pk])
    if reply_to is not None:
        return {"form_id": f"reply-{reply_to.pk}", "label": "Your reply", "submit": "Reply",
                "action": action, "target": "#comment-threads",
                "parent_id": reply_to.pk}  # fmt: skip
    return {"form_id": "comment-new", "label": "Add a comment", "submit": "Comment",
            "action": action, "target": "#comment-threads", "parent_id": None}  # fmt: skip


def _failed(request, post, error, form):
    """The form again with the member's text and the errors: alone for htmx (retargeted to
    the form on the page), else on a page of its own."""
    context = {**form, "post": post, "draft": request.POST.get("body", ""),
               "form_errors": error.messages}  # fmt: skip
    if request.htmx:
        response = render(request, "community/post/_comment_form.html", context)
        response["HX-Retarget"] = f"#{form['form_id']}"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "community/post/comment_form.html", context, status=400)


def _comment_url(comment):
    return reverse("community:post", args=[comment.post_id]) + f"#comment-{comment.pk}"


def post_page(request, post_id):
    post = selectors.post_detail(request.user, post_id)
    try:
        context = _context(request, post, cursor=request.GET.get("cursor"))
    except ValidationError:
        return HttpResponseBadRequest(BAD_CURSOR)
    return render(request, "community/post/detail.html", context)


@require_http_methods(["GET", "POST"])
def post_comments(request, post_id):
    """GET: the threads fragment (a later page with ?cursor=). POST: add a comment."""
    post = selectors.post_detail(request.user, post_id)
    if request.method == "GET":
        cursor = request.GET.get("cursor")
        try:
            context = _context(request, post, cursor=cursor)
        except ValidationError:
            return HttpResponseBadRequest(BAD_CURSOR)
        return render(request, THREAD_ITEMS if cursor else THREADS, context)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("community:post", args=[post_id]))
    form = _form(post)
    try:
        parent = selectors.reply_parent(request.POST.get("parent"))
        form = _form(post, reply_to=parent) if parent else form
        comment = services.create_comment(
            request.user, post=post, body=request.POST.get("body", ""), parent=parent
        )
    except ValidationError as error:
        return _failed(request, post, error, form)
    if request.htmx:
        return render(request, THREADS, _context(request, post))
    return redirect(_comment_url(comment))


@require_POST
def edit_comment(request, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    comment = selectors.comment_detail(request.user, comment_id)
    try:
        services.edit_comment(request.user, comment=comment, body=request.POST.get("body", ""))
    except ValidationError as error:
        return _failed(request, comment.post, error, _form(comment.post, editing=comment))
    if request.htmx:
        comment = selectors.comment_view(request.user, comment_id)
        return HttpResponse(cards.render_cards(request, card_kinds.COMMENT, [comment]))
    return redirect(_comment_url(comment))


@require_POST
def delete_comment(request, comment_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    comment = selectors.comment_detail(request.user, comment_id)
    services.delete_comment(request.user, comment=comment)
    if request.htmx:
        return render(request, THREADS, _context(request, comment.post))
    return redirect(reverse("community:post", args=[comment.post_id]) + "#comments")


def _moderation(service):
    """A moderator's button on a comment: the threads again for htmx (the count changed with
    it), else back to the comment."""

    @require_POST
    def view(request, comment_id):
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        comment = selectors.comment_detail(request.user, comment_id)
        service(request.user, comment=comment)
        if request.htmx:
            return render(request, THREADS, _context(request, comment.post))
        return redirect(_comment_url(comment))

    return view


hide_comment = _moderation(services.hide_comment)
unhide_comment = _moderation(services.unhide_comment)


def _like(request, target, target_type, back_url):
    """GET: the button as the viewer sees it now (live refresh). POST: toggle."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(back_url)
        liked = services.toggle_like(request.user, target=target)
        if not request.htmx:
            return redirect(back_url)
    else:
        liked = bool(selectors.liked_ids(request.user, [target]))
    target.like_count = selectors.like_count(target)  # exact now; the stored counter follows
    context = {"target": target, "target_type": target_type}
    return HttpResponse(
        cards.render_fragment(request, "community/_like_button.html", context, {"liked": liked})
    )


@require_http_methods(["GET", "POST"])
def like_post(request, post_id):
    post = selectors.post_detail(request.user, post_id)
    return _like(request, post, "post", reverse("community:post", args=[post.pk]))


@require_http_methods(["GET", "POST"])
def like_comment(request, comment_id):
    comment = selectors.comment_detail(request.user, comment_id)
    return _like(request, comment, "comment", _comment_url(comment))
