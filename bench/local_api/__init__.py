"""RPC throughput through the local API's HTTP path, against the same statements run on asyncpg."""
