"""Admin, split by responsibility: the import pipeline and curation."""

from . import curation, imports

__all__ = ["curation", "imports"]
