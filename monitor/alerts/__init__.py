"""Alert messages and their delivery through Apprise, via the outbox."""
