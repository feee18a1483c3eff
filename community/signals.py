"""Domain events other apps listen to (gamification, messaging). Sent only after commit,
through effects.send_signal_on_commit, with ids, never objects: a receiver enqueues its own
task, and one that raises is logged without stopping the others or failing the write."""

from django.dispatch import Signal

post_created = Signal()  # post_id, author_id, space_id
comment_created = Signal()  # comment_id, post_id, author_id, parent_id, post_author_id
# A post or comment left members' view (reason "deleted" or "hidden" by a moderator), or
# came back (unhidden): what was earned from it (gamification) follows.
post_removed = Signal()  # post_id, author_id, reason
post_restored = Signal()  # post_id, author_id
comment_removed = Signal()  # comment_id, post_id, author_id, reason
comment_restored = Signal()  # comment_id, post_id, author_id
like_added = Signal()  # user_id, target_type ("post" | "comment"), target_id, target_author_id
like_removed = Signal()  # user_id, target_type, target_id, target_author_id
member_followed = Signal()  # follower_id, followed_id
member_mentioned = Signal()  # member_id, by_id, post_id, comment_id (None for a post)
# A member moved to another time zone: what is scheduled on their clock (digests) follows.
time_zone_changed = Signal()  # member_id
# A member account was created (sign-up, the admin site, a command): apps that keep a row per
# member (gamification's score) make theirs.
member_joined = Signal()  # member_id
# A moderator acted on a member or their content (action "hidden", "deleted", "warned" or
# "banned"): messaging tells the member why. `until` is an ISO time for a ban with an end;
# `at` (ISO) tells one decision from a later one on the same target.
moderation_notice = Signal()  # member_id, action, target_type, target_id, reason, until, at
