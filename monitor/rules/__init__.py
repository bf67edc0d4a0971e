"""The watch-rule language and the matcher (pure: no I/O)."""
