"""connect-gitops: git as the source of truth for commercetools Connect connectors."""

__version__ = "0.1.0"
