"""The registry of job kinds: names, duplicates, backoff, discovery."""

from __future__ import annotations

import pytest

from jobs import registry
from jobs.registry import Backoff, JobContext, JobKind


async def noop(_job: JobContext) -> None:
    return None


@pytest.mark.parametrize("name", ["record", "Tests__record", "tests_record", "tests__", "__record", "a__b c"])
def test_kind_names_must_be_area_double_underscore_verb(name: str) -> None:
    with pytest.raises(ValueError, match="<area>__<verb>"):
        registry.register(JobKind(name, noop))


def test_a_kind_cannot_be_registered_twice_with_another_function() -> None:
    registry.register(JobKind("tests__registry_once", noop))
    registry.register(JobKind("tests__registry_once", noop))  # re-import of the same module: fine

    async def other(_job: JobContext) -> None:
        return None

    with pytest.raises(ValueError, match="registered twice"):
        registry.register(JobKind("tests__registry_once", other))


@pytest.mark.parametrize(("timeout", "attempts"), [(0, 3), (-1, 3), (10, 0)])
def test_timeout_and_attempts_must_be_positive(timeout: float, attempts: int) -> None:
    with pytest.raises(ValueError, match="timeout"):
        registry.register(JobKind("tests__registry_bad", noop, timeout=timeout, max_attempts=attempts))


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    backoff = Backoff(base=2, cap=10)
    for attempt, expected in [(1, 2), (2, 4), (3, 8), (4, 10), (20, 10)]:
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(0.9 * expected <= d <= 1.1 * expected for d in delays), (attempt, min(delays), max(delays))
        assert max(delays) - min(delays) > 0  # jittered, so retries of many jobs spread out


def test_load_imports_the_tasks_package_and_extra_modules() -> None:
    registry.load(["tests.jobs.kinds"])
    kinds = registry.registered()
    assert {"tests__record", "tests__strict", "tests__hang", "tests__slow_first"} <= set(kinds)
    assert kinds["tests__hang"].timeout == 1
    assert registry.settings_for("nobody__registered").max_attempts == registry.UNKNOWN_KIND_DEFAULTS.max_attempts


def test_each_task_module_registers_the_one_kind_its_path_names() -> None:
    """jobs/tasks/<area>/<task>.py registers exactly <area>__<task>, so a kind's code is found by its name."""
    registry.load()
    modules = registry.feature_modules()
    assert "jobs.tasks.learning_plans.generate" in modules
    for name in modules:
        owned = {k for k, kind in registry.registered().items() if kind.func.__module__ == name}
        assert owned == {registry.kind_of_module(name)}, name


def test_a_task_module_may_not_register_a_kind_its_path_does_not_name() -> None:
    async def misplaced(_job: JobContext) -> None:
        return None

    misplaced.__module__ = "jobs.tasks.learning_plans.generate"
    with pytest.raises(ValueError, match="name it 'learning_plans__generate'"):
        registry.register(JobKind("learning_plans__summarise", misplaced))
