"""Every write to events: authoring (admins), RSVPs and calendar feeds (members)."""
