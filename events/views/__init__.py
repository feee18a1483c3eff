"""Events pages: listing.py (the upcoming list, the past archive, the month view),
event.py (an event's occurrence, RSVPs, its .ics) and feeds.py (the member's private
calendar feed and the page that manages it)."""
