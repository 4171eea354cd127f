"""Job kinds of the features, one module per area (e.g. `jobs/tasks/learning_plans.py`).

Every module in this package is imported by the relay and the worker at start, so a module here only
has to decorate its functions with `jobs.registry.job_kind(...)`.
"""
