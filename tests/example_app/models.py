from django.db import models

from community.models import Gated


class Workshop(Gated):
    title = models.CharField(max_length=100)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta(Gated.Meta):
        pass

    def __str__(self):
        return self.title
