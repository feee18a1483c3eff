"""Every write courses makes: learning.py (members: enroll, progress) and authoring.py
(admins: courses, modules, lessons, attachments, order)."""
