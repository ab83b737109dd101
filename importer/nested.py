"""Files a template takes in: snippets included by `AWS::Include` and nested stacks, when they are local files.

CloudFormation packaging (`aws cloudformation package`, `sam build`) uploads local paths; before that, a
template names them relative to itself. `include` puts each local snippet in place of its `Fn::Transform`.
`nest` reads each local nested stack (`AWS::CloudFormation::Stack` `TemplateURL`, `AWS::Serverless::Application`
`Location`) and puts its resources in place of the stack resource, as one case: their logical ids, conditions
and mappings prefixed with the stack's id, the parameters the stack passes put in place of the nested
template's `Ref`s, and the parent's `Fn::GetAtt Stack.Outputs.Name` replaced by what the output gives, so
that flows across the two are drawn. Remote files (S3, HTTPS, the Serverless Application Repository) are not
fetched: they are named in one note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import CaseError, Diagnostic

NESTED: dict[str, str] = {"AWS::CloudFormation::Stack": "TemplateURL", "AWS::Serverless::Application": "Location"}
"""Nested stack types, and the property that names the nested template."""
MAX_NESTING = 5
REMOTE = re.compile(r"^(https?|s3)://", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\$\{([^!{}][^{}]*)\}")

Note = Callable[[tuple[str | int, ...], str, str], None]


def local(path: Any, base: Path) -> Path | None:
    """The local file a location names, relative to the template's folder (None for a remote or computed one)."""
    if not isinstance(path, str) or not path.strip() or REMOTE.match(path.strip()):
        return None
    found = Path(path.strip())
    return found if found.is_absolute() else base / found


def include(data: dict[str, Any], base: Path, note: Note, parse: Callable[[Path], Any]) -> None:
    """Put each local `AWS::Include` snippet in place of its `Fn::Transform` (in `Resources` and `Outputs`)."""
    for section in ("Resources", "Outputs"):
        if isinstance(data.get(section), dict):
            data[section] = _include(data[section], base, note, parse, (section,))


def _include(value: Any, base: Path, note: Note, parse: Callable[[Path], Any], path: tuple[str | int, ...]) -> Any:
    if isinstance(value, dict):
        transform = value.get("Fn::Transform")
        if set(value) == {"Fn::Transform"} and isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
            location = (transform.get("Parameters") or {}).get("Location") if isinstance(transform.get("Parameters"), dict) else None
            file = local(location, base)
            if file is None:
                return value
            if not file.is_file():
                note(path, f"`AWS::Include` names {location!r}, which is not a file beside the template: not included",
                     "import the template from its own folder, with the files it includes")
                return value
            return parse(file)
        return {key: _include(item, base, note, parse, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_include(item, base, note, parse, (*path, i)) for i, item in enumerate(value)]
    return value


def nest(data: dict[str, Any], base: Path, note: Note, read: Callable[[Path], dict[str, Any]],
         origins: dict[str, str], depth: int = 0, seen: frozenset[Path] = frozenset()) -> None:
    """Put the resources of each local nested stack in place of the stack resource (recursively, to
    MAX_NESTING levels); `origins` gets, for each resource put in, the logical id of the parent's stack."""
    resources = data["Resources"]
    remote = []
    for stack, body in list(resources.items()):
        kind = body.get("Type") if isinstance(body, dict) else None
        if kind not in NESTED:
            continue
        properties = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        location = properties.get(NESTED[kind])
        file = local(location, base)
        if file is None:
            remote.append(stack)
            continue
        if not file.is_file() or depth >= MAX_NESTING or file.resolve() in seen:
            why = ("it is not a file beside the template" if not file.is_file() else
                   "it includes itself" if file.resolve() in seen else f"stacks nest deeper than {MAX_NESTING} levels")
            note(("Resources", stack), f"nested stack '{stack}' names {location!r}, but {why}: kept as one generic service",
                 "import the template from its own folder, with its nested templates")
            continue
        try:
            child = read(file)
        except CaseError as error:
            first = error.diagnostics[0] if error.diagnostics else Diagnostic(str(file), 1, 1, "unreadable")
            note(("Resources", stack), f"nested stack '{stack}' ({file.name}) cannot be read: {first.message} "
                 f"({first.file}:{first.line}): kept as one generic service", "fix the nested template")
            continue
        nest(child, file.parent, lambda path, message, hint: None, read, origins, depth + 1, seen | {file.resolve()})
        _merge(data, stack, body, child, origins)
        note(("Resources", stack), f"nested stack '{stack}' is read from {file.name}: its resources are imported as part of "
             f"this case, their ids prefixed with '{stack}'", "")
    if remote:
        note(("Resources", remote[0]), f"nested stack{'s' if len(remote) > 1 else ''} {', '.join(remote[:8])}"
             f"{' ...' if len(remote) > 8 else ''} {'are' if len(remote) > 1 else 'is'} remote or computed: kept as generic "
             f"service{'s' if len(remote) > 1 else ''}, not followed", "import the nested templates as well")


def _merge(data: dict[str, Any], stack: str, body: dict[str, Any], child: dict[str, Any], origins: dict[str, str]) -> None:
    """Put a nested template's resources (and conditions, mappings) into the parent in place of its stack."""
    properties = _mapping(body.get("Properties"))
    passed: dict[str, Any] = _mapping(properties.get("Parameters"))
    declared: dict[str, Any] = _mapping(child.get("Parameters"))
    names = {
        "ids": {lid: f"{stack}{lid}" for lid in child["Resources"]},
        "conditions": {name: f"{stack}{name}" for name in _mapping(child.get("Conditions"))},
        "mappings": {name: f"{stack}{name}" for name in _mapping(child.get("Mappings"))},
        "parameters": {name: f"{stack}{name}" for name in declared if name not in passed},
    }
    values = {name: value for name, value in passed.items() if name in declared or not declared}

    def renamed(value: Any) -> Any:
        return _rename(value, names, values)

    for name, spec in declared.items():
        if name not in passed:
            data.setdefault("Parameters", {})[names["parameters"][name]] = spec
    for section, key in (("Conditions", "conditions"), ("Mappings", "mappings")):
        for name, value in _mapping(child.get(section)).items():
            data.setdefault(section, {})[names[key][name]] = renamed(value) if section == "Conditions" else value
    outputs = {name: renamed(output.get("Value")) for name, output in _mapping(child.get("Outputs")).items() if isinstance(output, dict)}
    resources: dict[str, Any] = {}
    for lid, value in data["Resources"].items():
        if lid != stack:
            resources[lid] = value
            continue
        for child_id, child_body in child["Resources"].items():
            merged = renamed(child_body)
            if isinstance(merged, dict) and isinstance(body.get("Condition"), str):
                merged = _conditional(data, merged, body["Condition"])
            resources[names["ids"][child_id]] = merged
            origins[names["ids"][child_id]] = origins.get(stack, stack)
    data["Resources"] = {lid: _outputs(value, stack, outputs) for lid, value in resources.items()}
    if isinstance(data.get("Outputs"), dict):
        data["Outputs"] = _outputs(data["Outputs"], stack, outputs)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _conditional(data: dict[str, Any], body: dict[str, Any], parent: str) -> dict[str, Any]:
    """A nested resource under its stack's condition (and its own, when it has one)."""
    own = body.get("Condition")
    if not isinstance(own, str):
        return {**body, "Condition": parent}
    both = f"{own}And{parent}"
    data.setdefault("Conditions", {})[both] = {"Fn::And": [{"Condition": parent}, {"Condition": own}]}
    return {**body, "Condition": both}


def _rename(value: Any, names: dict[str, dict[str, str]], values: dict[str, Any]) -> Any:
    """A nested template's value as the parent holds it: ids, conditions and mappings prefixed; the parameters
    the stack passes replaced by the values passed."""
    ids, conditions, mappings, parameters = names["ids"], names["conditions"], names["mappings"], names["parameters"]
    if isinstance(value, list):
        return [_rename(item, names, values) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref" and isinstance(argument, str):
            return values[argument] if argument in values else {"Ref": ids.get(argument) or parameters.get(argument) or argument}
        if function == "Fn::GetAtt":
            target = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(target, list) and target and isinstance(target[0], str) and target[0] in ids:
                return {"Fn::GetAtt": [ids[target[0]], *target[1:]]}
            return value
        if function == "Fn::Sub":
            return {"Fn::Sub": _sub(argument, names, values)}
        if function == "Fn::If" and isinstance(argument, list) and argument and isinstance(argument[0], str):
            return {"Fn::If": [conditions.get(argument[0], argument[0]), *_rename(argument[1:], names, values)]}
        if function == "Condition" and isinstance(argument, str):
            return {"Condition": conditions.get(argument, argument)}
        if function == "Fn::FindInMap" and isinstance(argument, list) and argument and isinstance(argument[0], str):
            return {"Fn::FindInMap": [mappings.get(argument[0], argument[0]), *_rename(argument[1:], names, values)]}
    renamed = {key: _rename(item, names, values) for key, item in value.items()}
    if isinstance(renamed.get("Condition"), str) and "Type" in renamed:
        renamed["Condition"] = conditions.get(renamed["Condition"], renamed["Condition"])
    if "Type" in renamed and "DependsOn" in renamed:
        depends = renamed["DependsOn"]
        renamed["DependsOn"] = [ids.get(d, d) for d in depends] if isinstance(depends, list) else ids.get(depends, depends)
    return renamed


def _sub(argument: Any, names: dict[str, dict[str, str]], values: dict[str, Any]) -> Any:
    """`Fn::Sub` text with its placeholders renamed, and the passed parameters it names given as its variables."""
    text, variables = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
    if not isinstance(text, str) or not isinstance(variables, dict):
        return _rename(argument, names, values)
    own = dict(variables)
    passed: dict[str, Any] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        head, dot, rest = name.partition(".")
        if name in own:
            return match.group(0)
        if not dot and head in values:
            passed[head] = values[head]
            return match.group(0)
        renamed = names["ids"].get(head) or names["parameters"].get(head) or head
        return "${" + renamed + dot + rest + "}"

    text = _PLACEHOLDER.sub(placeholder, text)
    variables = {key: _rename(item, names, values) for key, item in own.items()} | passed
    return [text, variables] if variables else text


def _outputs(value: Any, stack: str, outputs: dict[str, Any]) -> Any:
    """The parent's references to the nested stack's outputs (`Fn::GetAtt Stack.Outputs.Name`, `${Stack.Outputs.Name}`)
    replaced by what each output gives."""
    if isinstance(value, list):
        return [_outputs(item, stack, outputs) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        target = target.split(".", 1) if isinstance(target, str) else target
        if isinstance(target, list) and len(target) == 2 and target[0] == stack and str(target[1]).startswith("Outputs."):
            name = str(target[1])[len("Outputs."):]
            return outputs.get(name, value)
        return value
    if len(value) == 1 and "Fn::Sub" in value:
        argument = value["Fn::Sub"]
        text, variables = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
        if isinstance(text, str) and isinstance(variables, dict) and f"${{{stack}.Outputs." in text:
            found: dict[str, Any] = {}

            def output(match: re.Match[str]) -> str:
                name = match.group(1)
                if name.startswith(f"{stack}.Outputs.") and name[len(stack) + 9:] in outputs:
                    variable = f"{stack}Output{name[len(stack) + 9:]}"
                    found[variable] = outputs[name[len(stack) + 9:]]
                    return "${" + variable + "}"
                return match.group(0)

            text = _PLACEHOLDER.sub(output, text)
            return {"Fn::Sub": [text, {**variables, **found}]}
        return value
    return {key: _outputs(item, stack, outputs) for key, item in value.items()}
