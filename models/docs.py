"""Field descriptions from the docstrings written under each field, applied on demand.

Reading class sources to find those docstrings costs more than everything else `archcase check` does, so it
happens only where descriptions are shown: the JSON Schema, the generated reference, and error hints.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache

from pydantic import BaseModel


def _docstrings(cls: type) -> dict[str, str]:
    """`name -> docstring` for the annotated attributes a class body documents with a string below them."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for node, after in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            found[node.target.id] = inspect.cleandoc(after.value.value)
    return found


def _subclasses(root: type[BaseModel]) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo = [root]
    while todo:
        cls = todo.pop(0)
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


@cache
def document(root: type[BaseModel]) -> None:
    """Give every field of `root`'s subclasses the description its docstring holds, and rebuild them."""
    classes = _subclasses(root)
    for cls in classes:
        docs: dict[str, str] = {}
        for base in reversed(cls.__mro__):
            if isinstance(base, type) and issubclass(base, BaseModel) and base is not BaseModel:
                docs.update(_docstrings(base))
        for name, field in cls.model_fields.items():
            if field.description is None and name in docs:
                field.description = docs[name]
    for _ in range(2):  # a class holding another (a case holds services) keeps the schema it had when rebuilt:
        for cls in classes:  # the second pass gives each the schemas the first made
            cls.model_rebuild(force=True)
