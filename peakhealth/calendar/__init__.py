"""Calendar feeds: secret iCalendar URLs of a user's sessions."""
