"""Loading and validating the configuration directory (sources, rules, channels, concepts, settings)."""
