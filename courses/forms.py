"""The admins' course forms: the shape of what they type. courses.services.authoring does
the validation that matters (slug, tier, drip, video link, file types and sizes), and
community.forms.apply_service_errors puts its refusals under the fields here, which carry
the services' argument names."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from community.forms import gating_fields

from .models import Course

DRIP_NONE, DRIP_DAYS, DRIP_DATE = "none", "days", "date"


def _changed(initial, data):
    """Only what differs from the row: an edit audits and announces what it changed."""
    return {name: value for name, value in data.items() if initial.get(name) != value}


class CourseForm(forms.Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    slug = forms.CharField(
        label="Address",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "placeholder": "made from the title"}),
        help_text="Letters, numbers, hyphens: the course lives at /courses/<address>/.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: **bold**, *italic*, lists, links.",
    )
    thumbnail = forms.FileField(
        label="Thumbnail",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="JPEG, PNG, GIF or WebP, up to 10 MB; shown on the catalog card.",
    )
    remove_thumbnail = forms.BooleanField(label="Remove the thumbnail", required=False)
    visibility, required_tier = gating_fields(
        Course.Visibility.choices,
        paid_help="Only for paid courses: members holding this tier open it.",
    )
    position = forms.IntegerField(
        label="Position",
        min_value=0,
        max_value=2_147_483_647,
        initial=0,
        help_text="Lower numbers come first in the catalog.",
    )

    def __init__(self, *args, course=None, **kwargs):
        self.course = course
        if course is not None:
            kwargs["initial"] = {
                name: getattr(course, name)
                for name in ("title", "slug", "description", "visibility", "position")
            } | {"required_tier": course.required_tier_id}
        super().__init__(*args, **kwargs)
        if course is not None:
            self.fields["slug"].widget.attrs.pop("placeholder")
            self.fields["slug"].help_text += " Changing it breaks old links."

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        thumbnail, remove = data.pop("thumbnail"), data.pop("remove_thumbnail")
        if self.course is None:
            return data | ({"thumbnail": thumbnail} if thumbnail else {})
        initial = {
            name: getattr(self.course, name)
            for name in ("title", "slug", "description", "visibility", "position")
        } | {"required_tier": self.course.required_tier}
        changes = _changed(initial, data)
        if thumbnail:
            changes["thumbnail"] = thumbnail
        elif remove and self.course.thumbnail:
            changes["thumbnail"] = None
        return changes


class ModuleForm(forms.Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    drip = forms.ChoiceField(
        label="Opens",
        choices=[
            (DRIP_NONE, "At once"),
            (DRIP_DAYS, "Some days after the member enrolls"),
            (DRIP_DATE, "On a date"),
        ],
        widget=forms.RadioSelect,
        initial=DRIP_NONE,
    )
    drip_days = forms.IntegerField(
        label="Days after enrolling", required=False, min_value=0, max_value=36_500
    )
    drip_date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="At midnight in each member's own time zone.",
    )

    def __init__(self, *args, module=None, **kwargs):
        self.module = module
        if module is not None:
            drip = DRIP_DAYS if module.drip_days is not None else DRIP_NONE
            drip = DRIP_DATE if module.drip_date is not None else drip
            kwargs["initial"] = {
                "title": module.title,
                "drip": drip,
                "drip_days": module.drip_days,
                "drip_date": module.drip_date,
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        drip = data.get("drip")
        if drip == DRIP_DAYS and data.get("drip_days") is None:
            self.add_error("drip_days", "How many days after enrolling?")
        if drip == DRIP_DATE and data.get("drip_date") is None:
            self.add_error("drip_date", "Pick the date it opens.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        drip = data["drip"]
        values = {
            "title": data["title"],
            "drip_days": data["drip_days"] if drip == DRIP_DAYS else None,
            "drip_date": data["drip_date"] if drip == DRIP_DATE else None,
        }
        if self.module is None:
            return values
        initial = {name: getattr(self.module, name) for name in values}
        return _changed(initial, values)


class NewLessonForm(forms.Form):
    title = forms.CharField(
        label="Lesson title", required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )


class LessonForm(forms.Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    content = forms.CharField(
        label="Content",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Markdown: headings, lists, links, code, tables.",
    )
    video_url = forms.CharField(
        label="Video link",
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://www.youtube.com/watch?v=…"}),
        help_text="A YouTube or Vimeo link. Or upload a video below (not both).",
    )
    video_file = forms.FileField(
        label="Uploaded video",
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm"}),
        help_text="MP4 or WebM.",
    )
    remove_video = forms.BooleanField(label="Remove the uploaded video", required=False)

    def __init__(self, *args, lesson, **kwargs):
        self.lesson = lesson
        kwargs["initial"] = {name: getattr(lesson, name) for name in
                             ("title", "content", "video_url")}  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields[
            "video_file"
        ].help_text = f"MP4 or WebM, up to {filesizeformat(settings.COURSE_VIDEO_MAX_BYTES)}."

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        video, remove = data.pop("video_file"), data.pop("remove_video")
        initial = {name: getattr(self.lesson, name) for name in ("title", "content", "video_url")}
        changes = _changed(initial, data)
        if video:
            changes["video_file"] = video
        elif remove and self.lesson.video_file:
            changes["video_file"] = None
        return changes


class AttachmentForm(forms.Form):
    upload = forms.FileField(label="Add a file")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = (
            "PDF, ZIP, images, text, Markdown, CSV, MP3, MP4, WebM, Word, Excel or PowerPoint, "
            f"up to {filesizeformat(settings.COURSE_ATTACHMENT_MAX_BYTES)}."
        )
