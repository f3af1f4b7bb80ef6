"""Values from outside the module (the control plane) checked against the types they must have.

Only the few shapes the control plane takes: plain scalars, None, unions, lists, dicts and
dataclasses built from a mapping. A bool is not an int here, and an int is a float.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

__all__ = ["build", "conforms"]

T = TypeVar("T")


def conforms(value: Any, hint: Any) -> bool:
    """True if `value` has the type `hint` describes."""
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arm) for arm in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint) or (Any, Any)
        return isinstance(value, dict) and all(
            conforms(k, key) and conforms(v, item) for k, v in value.items()
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def build(cls: type[T], values: dict[str, Any]) -> T:
    """A dataclass instance from a mapping: unknown names and wrongly typed values refused."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name, value in values.items():
        if name not in known:
            raise TypeError(f"{cls.__name__} has no field {name!r}; known: {sorted(known)}")
        if not conforms(value, hints[name]):
            raise TypeError(f"{cls.__name__}.{name} must be {hints[name]}, not {value!r}")
    return cls(**values)
