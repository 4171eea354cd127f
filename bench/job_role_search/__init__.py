"""End-to-end latency, start-up and memory of the sidecar's job-role search (`python -m bench.job_role_search`)."""
