"""The rule workshop: draft rules checked, previewed on stored history, saved back to the files with their
history, applied to history, and improved from the analysts' triage. Services only: no HTTP here."""
