"""The local private storage: files served only through views that check access.

FileSystemStorage reads MEDIA_ROOT again when a test changes it, but a location given in
STORAGES is fixed when the storage is made (and a model field keeps that instance). This one
reads PRIVATE_MEDIA_ROOT on every use, so it follows the setting the same way.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks access.")
