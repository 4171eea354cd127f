"""The `fluentpro` command: the one entry point that starts, migrates and inspects the stack, and the
api contract tooling it runs. The only package allowed to import the sidecar, the jobs and the local
API together."""
