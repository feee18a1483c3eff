"""Courses' domain events, sent after commit through community.effects with ids only.
Gamification awards points for completions; messaging tells members about unlocks."""

from django.dispatch import Signal

enrolled = Signal()  # user_id, course_id, enrollment_id
lesson_completed = Signal()  # user_id, course_id, lesson_id
lesson_uncompleted = Signal()  # user_id, course_id, lesson_id
course_completed = Signal()  # user_id, course_id, enrollment_id
# A drip module opened for a member (sent once per member and module, by tasks.unlock_due).
module_unlocked = Signal()  # user_id, course_id, module_id
