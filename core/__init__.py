"""What the HTTP app (sidecar), the jobs and the local API share: settings, database access and
the migrator, the AI client, the search index schema and the catalogue loaders. Nothing here imports
sidecar, jobs, localapi or fluentpro, nor a web framework (`make lint` checks it)."""
