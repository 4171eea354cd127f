"""Token exchange throughput against a trivial JSON endpoint of the same server, in the same run."""
