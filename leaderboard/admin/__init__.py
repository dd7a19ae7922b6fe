"""Admin, split by responsibility: the import pipeline and curation (aliases, organisations
and licenses, models). The site itself is ``leaderboard.admin_site``."""

from . import aimodels, aliases, enrichment, entities, families, imports

__all__ = ["aimodels", "aliases", "enrichment", "entities", "families", "imports"]
