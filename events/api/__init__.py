"""The events REST API (mounted under /api/v1/ by events.api_urls): thin views over the
same access rules, selectors and services as the event pages. `members` has what members
do (the list of occurrences in a window, an event, its attendees, RSVPs, the .ics file and
the private calendar feed's token); `authoring` what admins do. Shapes are in
`serializers`."""
