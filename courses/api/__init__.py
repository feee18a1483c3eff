"""The courses REST API (mounted under /api/v1/ by courses.api_urls): thin views over the
same selectors and services as the course pages. `learning` has what members do (the
catalog, a course's outline, enrolling, lessons, completion, downloads); `authoring` what
the admins' builder does. Shapes are in `serializers` and `authoring_serializers`."""
