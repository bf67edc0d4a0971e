"""Stories: the articles that report the same event, across outlets and languages (pure: no I/O).

`features_of(title, text, language=, at=, concepts=)` reads what assignment compares (a shingle sketch,
names in one script, numbers, the configuration's concepts, time); `StoryIndex.decide` says which story a
new article joins (or that it starts one, or bridges several); `link_score` is the pairwise decision.
Storage keeps the stories (`monitor.storage.stories`); this package knows nothing of the database.
"""

from monitor.stories.concepts import ConceptFinder
from monitor.stories.features import ArticleFeatures, ConceptTagger, features_of
from monitor.stories.index import DEFAULT_WINDOW, Decision, StoryIndex, assign_all
from monitor.stories.linking import DEFAULT_POLICY, LinkPolicy, link_score

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_WINDOW",
    "ArticleFeatures",
    "ConceptFinder",
    "ConceptTagger",
    "Decision",
    "LinkPolicy",
    "StoryIndex",
    "assign_all",
    "features_of",
    "link_score",
]
