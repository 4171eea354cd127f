"""Job kinds of the features: kind `<area>__<task>` is registered by module `jobs/tasks/<area>/<task>.py`
(learning_plans__generate in `learning_plans/generate.py`), and `jobs.registry` refuses any other name.

The relay and the worker import every module in this package at start, so a task module only has to
decorate its function with `jobs.registry.job_kind(...)`.
"""
