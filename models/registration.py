"""Facts about service and flow kinds, registered against their model classes beside the code that implements
them, and collected from an explicit list of modules: no registration happens as a side effect of an import.

    permits = Registration[tuple[type[Flow], type[Service]]]("permits")

    @permits((Reads, DynamoDbTable))
    def table_reads(...): ...

    PERMISSIONS = permits.collect([iam_module, ...])   # {(Reads, DynamoDbTable): table_reads, ...}

The decorator only marks the function; `collect` builds the table, refusing a key registered twice. The
completeness test (tests/test_kinds.py) walks every kind against every table and names what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from types import ModuleType
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C", bound=Callable[..., Any])


class Registration(Generic[K]):
    """A decorator that marks functions with the keys they are registered under, and the collector of them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._attribute = f"_archcase_{name.replace('-', '_')}"

    def __call__(self, *keys: K) -> Callable[[C], C]:
        if not keys:
            raise ValueError(f"@{self.name} needs at least one key")

        def mark(function: C) -> C:
            setattr(function, self._attribute, (*self.keys_of(function), *keys))
            return function

        return mark

    def keys_of(self, function: object) -> tuple[K, ...]:
        """The keys a function is registered under (none for a function not marked)."""
        keys: tuple[K, ...] = getattr(function, self._attribute, ())
        return keys

    def collect(self, modules: Iterable[ModuleType]) -> dict[K, Callable[..., Any]]:
        """Every marked function of the modules, by key; a key marked on two functions is an error."""
        found: dict[K, Callable[..., Any]] = {}
        for module in modules:
            for value in vars(module).values():
                if not callable(value):
                    continue
                for key in self.keys_of(value):
                    if key in found and found[key] is not value:
                        raise RuntimeError(f"@{self.name}({key!r}) marks both {found[key].__qualname__} and "
                                           f"{value.__qualname__}")
                    found[key] = value
        return found
