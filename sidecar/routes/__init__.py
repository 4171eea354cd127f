"""HTTP routes, one module per area. Every route handler (or Router/Controller) a module here defines
at top level is mounted by `create_app`: adding an area is adding a module, with no edit elsewhere."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from litestar import Router
from litestar.controller import Controller
from litestar.handlers import BaseRouteHandler


def _defined_in(value: Any, module: str) -> bool:
    if isinstance(value, BaseRouteHandler):
        return getattr(value.fn, "__module__", None) == module
    if isinstance(value, type) and issubclass(value, Controller):
        return value.__module__ == module
    return isinstance(value, Router)


def discover() -> list[Any]:
    """The handlers, routers and controllers defined (not merely imported) in sidecar.routes.* modules."""
    found: list[Any] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += [value for value in vars(module).values() if _defined_in(value, module.__name__)]
    return found
