"""The official clients run against the `fluentpro dev` stack shared with the guide's tests
(`client_stack`, tests/e2e/conftest.py, registered in tests/conftest.py)."""
