"""GraphQL types derived from the services' frozen result dataclasses.

A service returns plain values (``backend/insights/results.py``); the API exposes them one
to one. Declaring every attribute a second time, as a strawberry type, made two lists that
had to be kept in step by hand. :func:`graphql_type` reads the dataclass instead: its fields
in their order, their types, its docstring's first paragraph as the description. What the
API says differently is given here and only here:

* an ``int`` field named ``*_id`` is a GraphQL ``ID``;
* a ``tuple[X, ...]`` is a list, a ``dict`` is ``JSON``;
* a nested result dataclass is the type derived from it earlier;
* ``fields`` attaches a description (``strawberry.field(description=...)``), ``types_``
  replaces a type, ``extra`` adds resolved fields, ``name`` renames the type (where the
  dataclass's name says less in the API than it does in its module).

The resolvers hand the service's values over as they are: strawberry reads attributes by
name, so no copy is made.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from typing import Any

import strawberry
from strawberry.scalars import JSON

__all__ = ["graphql_type"]

_DERIVED: dict[type, type] = {}


def graphql_type(
    source: type,
    *,
    fields: dict[str, Any] | None = None,
    types_: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    description: str | None = None,
    name: str | None = None,
) -> type:
    """The strawberry type of the result dataclass ``source`` (see the module docstring)."""
    hints = typing.get_type_hints(source)
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for item in dataclasses.fields(source):
        given = (types_ or {}).get(item.name)
        annotations[item.name] = given or _graphql(item.name, hints[item.name])
        if item.name in (fields or {}):
            namespace[item.name] = fields[item.name]
    namespace.update(extra or {})
    namespace["__annotations__"] = annotations
    caller = inspect.currentframe().f_back  # the module that declares the type
    namespace["__module__"] = caller.f_globals["__name__"] if caller else __name__
    derived = strawberry.type(
        type(source.__name__, (), namespace),
        name=name,
        description=description or _summary(source),
    )
    _DERIVED[source] = derived
    return derived


def _graphql(name: str, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        mapped = _graphql(name, inner[0])
        return mapped | None if len(inner) < len(args) else mapped
    if origin in (list, tuple):
        return list[_graphql(name, args[0])]
    if origin is dict or hint is dict:
        return JSON
    if hint is int and name.endswith("_id"):
        return strawberry.ID
    if dataclasses.is_dataclass(hint):
        if hint not in _DERIVED:
            raise TypeError(f"derive the type of {hint.__name__} before the types that hold it")
        return _DERIVED[hint]
    return hint


def _summary(source: type) -> str:
    doc = inspect.cleandoc(source.__doc__ or "")
    return " ".join(doc.split("\n\n")[0].split())
