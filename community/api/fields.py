"""Fields every app's API shares: times always in UTC."""

from datetime import UTC

from django.db import models
from rest_framework import serializers


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC whoever asks: the member's own zone, which pages activate, would make
    the same moment read differently for a session and for a token."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else super().to_representation(value)


class UtcModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }
