"""The job-role catalogue: O*NET seed data and its loader."""
