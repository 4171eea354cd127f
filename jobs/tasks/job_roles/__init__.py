"""Job kinds of the job-roles area (`job_roles__<task>` in `<task>.py`)."""
