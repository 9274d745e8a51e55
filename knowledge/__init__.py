"""The knowledge base: the single source of truth for every answer."""

from .loader import KnowledgeError, data_dir, fingerprint, load
from .models import Knowledge

__all__ = ["Knowledge", "KnowledgeError", "data_dir", "fingerprint", "load"]
