import threading
import time

import pytest
from django.db import connection, transaction

from community import tasks
from community.models import Like, Post
from tests.factories import PostFactory, UserFactory


def waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_recount_that_waits_for_the_row_counts_what_committed_while_it_waited():
    # The race CI met: a recount starts while another transaction holds the counted row
    # and adds a source row; once that commits, the recount must count it (an UPDATE with
    # a count subquery alone would write the count from before it waited).
    post = PostFactory()
    fan = UserFactory()
    recounting = threading.Thread(target=lambda: (tasks.recount_post(post.pk), connection.close()))
    with transaction.atomic():
        Post.objects.select_for_update().get(pk=post.pk)
        Like.objects.create(user=fan, target=post)
        recounting.start()
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock():
            assert time.monotonic() < deadline, "the recount never waited for the row"
            time.sleep(0.01)
    recounting.join(timeout=10)
    post.refresh_from_db()
    assert post.like_count == 1
