"""API for the admins' analytics: the registered series, and one series' figures over a
period, the same the page charts (community.analytics). Admins only: others get 403."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from community import access, analytics
from community.forms import AnalyticsPeriodForm

from .errors import ErrorSerializer

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="The first day (with `to`): YYYY-MM-DD."
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        description=f"The last day, included (with `from`); at most {analytics.MAX_DAYS} days "
        "after `from`.",
    ),
    OpenApiParameter(
        "days",
        OpenApiTypes.INT,
        enum=list(analytics.PRESET_DAYS),
        description="Without `from` and `to`: the last this many days, today included "
        f"(default {analytics.DEFAULT_DAYS}).",
    ),
]


class AnalyticsSeriesSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Names the series in its URL.")
    label = serializers.CharField()
    description = serializers.CharField(help_text="What it counts.")
    kind = serializers.ChoiceField(
        choices=analytics.KINDS,
        help_text="`daily` and `monthly`: a point per day or month of the period, zeros "
        "included; `category`: a point per thing (a course, a currency).",
    )
    unit = serializers.ChoiceField(
        choices=(analytics.COUNT, analytics.PERCENT, analytics.MONEY),
        help_text="`money`: amounts in the minor unit (cents) of the currency each column names.",
    )


class AnalyticsSeriesListSerializer(serializers.Serializer):
    results = AnalyticsSeriesSerializer(many=True)


class AnalyticsPointSerializer(serializers.Serializer):
    x = serializers.CharField(help_text="The day (YYYY-MM-DD), month (YYYY-MM) or name.")
    values = serializers.ListField(
        child=serializers.FloatField(), help_text="One per column, in the columns' order."
    )


class AnalyticsFiguresSerializer(AnalyticsSeriesSerializer):
    columns = serializers.ListField(child=serializers.CharField())
    points = AnalyticsPointSerializer(many=True)

    def get_fields(self):
        # "from" is a Python keyword: the period's fields are added by name.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text="The period's first day.")
        fields["to"] = serializers.DateField(help_text="The period's last day, included.")
        return fields


def _series_data(series):
    return {"key": series.key, "label": series.label, "description": series.description,
            "kind": series.kind, "unit": series.unit}  # fmt: skip


class AnalyticsListView(APIView):
    @extend_schema(
        operation_id="analytics_list",
        responses={200: AnalyticsSeriesListSerializer, 403: ErrorSerializer},
        summary="The analytics series there are (admins)",
    )
    def get(self, request):
        access.check_can_administer(request.user)
        results = [_series_data(series) for series in analytics.registered_series()]
        return Response(AnalyticsSeriesListSerializer({"results": results}).data)


class AnalyticsSeriesView(APIView):
    @extend_schema(
        operation_id="analytics_retrieve",
        parameters=PERIOD_PARAMETERS,
        responses={200: AnalyticsFiguresSerializer, 403: ErrorSerializer},
        summary="A series' figures over a period (admins)",
    )
    def get(self, request, key):
        access.check_can_administer(request.user)
        series = analytics.series_by_key(key)
        if series is None:
            raise NotFound("No such series.")
        form = AnalyticsPeriodForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        figures = analytics.figures(series, form.period())
        points = [
            {"x": analytics.x_text(figures, x), "values": values} for x, values in figures.rows
        ]
        data = {**_series_data(series), "from": figures.period.start,
                "to": figures.period.end, "columns": figures.columns, "points": points}  # fmt: skip
        return Response(AnalyticsFiguresSerializer(data).data)
