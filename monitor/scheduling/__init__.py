"""The long-running scheduler behind `monitor run`."""
