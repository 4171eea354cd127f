"""Job-role search as the sidecar serves it: Azure AI Search queries with the embedded PostgreSQL search as
fallback. The index's schema and settings, which the indexing jobs use too, are in `core/search/`."""
