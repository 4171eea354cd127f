"""The official clients against the stack `fluentpro dev` starts: the fixtures of tests/e2e, shared."""

from tests.e2e.conftest import fake_openai, local_api, running_stack

__all__ = ["fake_openai", "local_api", "running_stack"]
