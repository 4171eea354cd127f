"""Database tooling: the migrator, its SQL splitter, and connection helpers shared by every process."""
