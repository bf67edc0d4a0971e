"""Imported only by the CPU pool's fork server, before it forks any worker: what every worker needs.

Workers are forked from that server, so the parsers, the rules engine, the language model (most of a
second to load) and the Ukrainian lemma dictionary (a second or two) are already in memory, shared
copy-on-write, when a worker starts: a new pool (a new configuration, or a `monitor poll`) starts
parsing at once.
"""

from monitor.parsing.language import load_language_model
from monitor.pipeline import cpu  # noqa: F401  (imported for the server's modules, not used here)
from monitor.rules.lemmas import load_lemma_dictionaries

load_language_model()
load_lemma_dictionaries()
