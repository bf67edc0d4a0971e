"""One source polled end to end, and one cycle over every due source."""
