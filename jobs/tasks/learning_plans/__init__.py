"""Job kinds of the learning-plans area (`learning_plans__<task>` in `<task>.py`)."""
