"""Imported only by the CPU pool's fork server, before it forks any worker: what every worker needs.

Workers are forked from that server, so the parsers, the rules engine and the language model (most of a
second to load) are already in memory, shared copy-on-write, when a worker starts: a new pool (a new
configuration, or a `monitor poll`) starts parsing at once.
"""

from monitor.parsing.language import load_language_model
from monitor.pipeline import cpu  # noqa: F401  (imported for the server's modules, not used here)

load_language_model()
