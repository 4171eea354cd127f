"""FluentPro's Python side: the Litestar sidecar and the infrastructure the jobs share."""
