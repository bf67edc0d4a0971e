"""monitor: self-hosted news monitoring.

The data flows one way, one subpackage per stage:
scheduling → fetching → parsing → storage (dedupe) → rules (match) → storage (hits, outbox) → alerts.
`pipeline` strings the stages together for one source and one cycle; `cli` and `web` call the same services.
"""

__version__ = "0.1.0"
