"""Direct messages' pages: the conversations list, a thread (live both ways, read receipts),
starting a conversation from a profile or the directory, editing and deleting one's own
messages, the direct-message switch and blocks.

Every form works without JavaScript (a POST, then a redirect); with htmx the same URLs
answer with the fragment that changed, and a form with errors comes back as 200 with
HX-Retarget pointing at it (htmx swaps only 2xx answers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from community import cards
from community.models import User
from community.views.common import page_url, safe_next_url

from .. import access, card_kinds, selectors, services

LIST_SIZE = 20
THREAD_SIZE = 30


def _participant(request, conversation_id):
    participant = selectors.conversations.participant_in(request.user, conversation_id)
    if participant is None:
        raise Http404("No such conversation.")
    return participant


def _message(request, message_id):
    message = selectors.conversations.message_in(request.user, message_id)
    if message is None:
        raise Http404("No such message.")
    return message


def _thread_url(message):
    return reverse("messaging:thread", args=[message.conversation_id]) + f"#message-{message.pk}"


@login_required
def conversations_page(request):
    """Queries, whatever the number of conversations: the page (1) besides what every page
    reads."""
    try:
        page = selectors.conversations.conversations_page(
            request.user, cursor=request.GET.get("cursor"), size=LIST_SIZE
        )
    except ValidationError:
        raise Http404("No such page of conversations.") from None
    context = {
        "conversations": page.items,
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "messaging/_conversation_page.html", context)
    return render(request, "messaging/conversations.html", context)


def _thread_context(request, participant, *, cursor=None, draft="", errors=()):
    page = selectors.conversations.thread_page(
        participant.conversation, cursor=cursor, size=THREAD_SIZE
    )
    other_side = selectors.conversations.other_side(participant)
    read_id = other_side.last_read_id if other_side else 0
    newest = page.items[0] if page.items and not cursor else None
    return {
        "participant": participant,
        "conversation": participant.conversation,
        "other": participant.other,
        "thread": list(reversed(page.items)),  # oldest first on the page
        "older_url": (
            reverse("messaging:thread", args=[participant.conversation_id])
            + f"?cursor={page.next_cursor}"
            if page.next_cursor
            else None
        ),
        "other_read_id": read_id,
        "other_read_at": other_side.last_read_at if other_side else None,
        # "Seen" speaks of the thread's last message when it is the member's own.
        "receipt_shown": bool(newest)
        and newest.sender_id == request.user.pk
        and read_id >= newest.pk,
        "cannot_send": access.why_not_message(request.user, participant.other),
        "draft": draft,
        "form_errors": errors,
    }


@login_required
def thread(request, conversation_id):
    """The newest page of the thread (older pages above it, fetched with ?cursor=); opening
    it marks the conversation read. Queries: the member's side, the page, the other side's
    receipt, whether they may send (and, with news, the read mark)."""
    participant = _participant(request, conversation_id)
    cursor = request.GET.get("cursor")
    try:
        context = _thread_context(request, participant, cursor=cursor)
    except ValidationError:
        raise Http404("No such page of messages.") from None
    if request.htmx and cursor:
        return render(request, "messaging/_older_messages.html", context)
    if (participant.conversation.last_message_id or 0) > participant.last_read_id:
        services.conversations.mark_read(request.user, participant.conversation, side=participant)
    return render(request, "messaging/thread.html", context)


@login_required
@require_POST
def send(request, conversation_id):
    participant = _participant(request, conversation_id)
    body = request.POST.get("body", "")
    try:
        message = services.conversations.send_message(
            request.user, participant.conversation, body=body, image=request.FILES.get("image")
        )
    except (ValidationError, PermissionDenied) as error:
        errors = error.messages if isinstance(error, ValidationError) else [str(error)]
        context = _thread_context(request, participant, draft=body, errors=errors)
        if request.htmx:
            response = render(request, "messaging/_message_form.html", context)
            response["HX-Retarget"] = "#message-form"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, "messaging/thread.html", context, status=400)
    if request.htmx:
        return HttpResponse(cards.render_cards(request, card_kinds.MESSAGE, [message]))
    return redirect(_thread_url(message))


@login_required
def message_card(request, conversation_id, message_id):
    """One message as this member sees it (live.js fetches it for a new or changed one)."""
    message = _message(request, message_id)
    if message.conversation_id != conversation_id:
        raise Http404("No such message.")
    return HttpResponse(cards.render_cards(request, card_kinds.MESSAGE, [message]))


@login_required
@require_POST
def mark_read(request, conversation_id):
    participant = _participant(request, conversation_id)
    services.conversations.mark_read(request.user, participant.conversation)
    return HttpResponse(status=204)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, message_id):
    message = _message(request, message_id)
    if message.sender_id != request.user.pk or message.deleted_at:
        raise PermissionDenied("You can change only your own messages.")
    errors = ()
    if request.method == "POST":
        try:
            services.conversations.edit_message(
                request.user, message, body=request.POST.get("body", "")
            )
        except ValidationError as error:
            errors = error.messages
        else:
            return redirect(_thread_url(message))
    context = {"message": message, "draft": request.POST.get("body", message.body),
               "form_errors": errors}  # fmt: skip
    return render(request, "messaging/edit_message.html", context, status=400 if errors else 200)


@login_required
@require_POST
def delete(request, message_id):
    message = _message(request, message_id)
    services.conversations.delete_message(request.user, message)
    if request.htmx:
        return HttpResponse(cards.render_cards(request, card_kinds.MESSAGE, [message]))
    return redirect(_thread_url(message))


@login_required
@require_http_methods(["GET", "POST"])
def start(request, member_id):
    """A conversation with this member: theirs if it exists, else a first message to send
    (or why one cannot be sent)."""
    member = get_object_or_404(User, pk=member_id, is_active=True)
    existing = selectors.conversations.existing_conversation_id(request.user, member)
    if existing and request.method == "GET":
        return redirect("messaging:thread", existing)
    if not access.can_start_conversation(request.user, member) and not existing:
        reason = access.why_not_message(request.user, member)
        if reason is None:  # a private profile: not there for this member
            raise Http404("No such member.")
        return render(request, "messaging/start.html", {"member": member, "reason": reason},
                      status=403)  # fmt: skip
    errors, body = (), request.POST.get("body", "")
    if request.method == "POST":
        try:
            conversation = services.conversations.start_conversation(request.user, member)
            message = services.conversations.send_message(
                request.user, conversation, body=body, image=request.FILES.get("image")
            )
        except (ValidationError, PermissionDenied) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            return redirect(_thread_url(message))
    context = {"member": member, "draft": body, "form_errors": errors}
    return render(request, "messaging/start.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def message_settings(request):
    """The direct-message switch and the members one blocked."""
    if request.method == "POST":
        enabled = request.POST.get("direct_messages") == "on"
        services.conversations.set_direct_messages(request.user, enabled=enabled)
        messages.success(
            request, "Members can message you." if enabled else "Direct messages are off."
        )
        return redirect("messaging:settings")
    context = {
        "direct_messages": access.direct_messages_on(request.user),
        "blocks": selectors.conversations.blocked_members(request.user),
    }
    return render(request, "messaging/settings.html", context)


@login_required
@require_POST
def block(request, member_id):
    member = get_object_or_404(User, pk=member_id)
    try:
        services.conversations.block(request.user, member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You blocked {member.display_name}.")
    return redirect(safe_next_url(request, "messaging:settings"))


@login_required
@require_POST
def unblock(request, member_id):
    member = get_object_or_404(User, pk=member_id)
    services.conversations.unblock(request.user, member)
    messages.success(request, f"You unblocked {member.display_name}.")
    return redirect(safe_next_url(request, "messaging:settings"))


def profile_panel(request, member):
    """The profile's "Message" and "Block" buttons (community.profile_panels), for another
    signed-in member: 1 query (their switch and the blocks)."""
    viewer = request.user
    if not viewer.is_authenticated or viewer.pk == member.pk or not member.is_active:
        return None
    reason = access.why_not_message(viewer, member)
    return {
        "member": member,
        "reason": reason,
        "blocked_by_viewer": reason is not None and reason.startswith("You blocked"),
    }
