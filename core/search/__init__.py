"""The job-role search index: its schema, its settings and the client both the sidecar (queries) and
the jobs (indexing) use."""
