"""The frontend guide's snippets run against the stack `fluentpro dev` starts: the fixtures of tests/e2e."""

from tests.e2e.conftest import fake_openai, local_api, running_stack

__all__ = ["fake_openai", "local_api", "running_stack"]
