"""The analytics' daily rollups: a figure per (series, column, closed day) of the series that
opt in (community.analytics), written by a nightly task and read instead of the source rows."""

from django.db import models


class DailyFigure(models.Model):
    series = models.CharField(max_length=50)
    column = models.CharField(max_length=100)
    day = models.DateField()
    # The zone whose midnights bounded the day: rows of another zone than the site's
    # (TIME_ZONE changed, or rows imported from a server in another zone) are not read.
    time_zone = models.CharField(max_length=64)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            # Also the index of the page's read: one series over a range of days.
            models.UniqueConstraint(
                fields=["series", "day", "column"], name="dailyfigure_series_day_column_uniq"
            ),
        ]

    def __str__(self):
        return f"{self.series}.{self.column} {self.day}: {self.value}"
