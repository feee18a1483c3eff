"""Courses pages: learning.py (the catalog, a course, a lesson) and manage.py (authoring)."""
