"""Job-role search on Azure AI Search: settings, the index (create, full and incremental reindex), queries."""
