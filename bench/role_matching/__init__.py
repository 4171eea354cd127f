"""Benchmark of the embedded job-role search on job titles the catalogue has never seen."""
