"""The guide's snippets run against the `fluentpro dev` stack shared with the client tests
(`client_stack`, tests/e2e/conftest.py, registered in tests/conftest.py)."""
