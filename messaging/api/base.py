"""What every messaging API view shares: its operations under one `messaging` tag."""

from rest_framework.views import APIView

from community.api.schema import AgoraAutoSchema


class MessagingSchema(AgoraAutoSchema):
    def get_tags(self):
        return ["messaging"]


class MessagingView(APIView):
    schema = MessagingSchema()
