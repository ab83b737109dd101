"""archcase's configuration file: `[tool.archcase]` in `pyproject.toml`, or `.archcase.yaml`, found upward from
the working directory as ruff and cfn-lint find theirs, then merged with the command line (a flag wins over the
file, the file over the defaults) into the `Settings` a command runs with, each value knowing where it came from.

Discovery: from the working directory up to the root, the first folder that holds `.archcase.yaml` (or
`.archcase.yml`) or a `pyproject.toml` with a `[tool.archcase]` table; in one folder the dedicated file wins
over `pyproject.toml`, and a `pyproject.toml` without the table is passed over (the search goes on upward).
`ARCHCASE_CONFIG=FILE` or `--config FILE` names the file instead; `--no-config` reads none. Paths in the file
(`paths`, `exclude`, `output`, `pack-file`) are relative to the file's folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .checks.rule import SEVERITIES, Severity
from .discovery import Excludes
from .models import CaseError, Diagnostic
from .models.base import did_you_mean

if TYPE_CHECKING:
    from .checks.packs import Pack

YAML_NAMES = (".archcase.yaml", ".archcase.yml")
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "archcase")
ENV = "ARCHCASE_CONFIG"
"""Environment variable naming the configuration file (as `--config` does)."""

ModuleName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
"""A dotted Python module name (`my_rules.storage`)."""


class Config(BaseModel):
    """What a configuration file may say; every key optional, none other accepted. Keys are written with
    hyphens, as pyproject tables are (`fail-on`, `rule-modules`)."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=lambda name: name.replace("_", "-"))

    paths: list[str] | None = None
    """What `check` and `build` read when no PATH is given: files, folders or glob patterns."""
    exclude: list[str] = []
    """Glob patterns of files and folders that walking a folder skips (`legacy`, `stacks/*/old`, `*.generated.yaml`),
    matched against the name and the path relative to the configuration file's folder."""
    pack: str | None = None
    """Rule pack (`archcase rules`; default: `default`)."""
    pack_file: str | None = None
    """A pack written as YAML (name, extends, select, ignore, severity: docs/custom-rules.md), used instead of `pack`
    (a `--pack` on the command line wins over the file's `pack-file`)."""
    fail_on: Severity | None = None
    """`check` (and `build`) exit 1 when an unsuppressed finding has this severity or above (check's default: high;
    build fails only when this or `--fail-on` is given)."""
    select: list[str] | None = None
    """Rule ids to run instead of every rule of the pack (as ruff's `select`)."""
    ignore: list[str] = []
    """Rule ids not to run: their findings are not reported (as ruff's `ignore`)."""
    severity: dict[str, Severity] = {}
    """Severity of a rule by id, over the pack's (`{AC205 = "high"}`): used for `fail-on` and in every report."""
    format: str | None = None
    """`check`'s report format (text, json, sarif, junit; default: text)."""
    output: str | None = None
    """File `check` writes its report to (default: standard output)."""
    rule_modules: list[ModuleName] = []
    """Python modules of custom rules (dotted module names), imported for `check`, `build` and `rules` with the
    configuration file's folder and the working directory on the import path (docs/custom-rules.md)."""


KEYS = tuple(field.alias or name for name, field in Config.model_fields.items())
"""The keys a configuration file may hold, as written in it."""


Locate = Callable[[tuple[str | int, ...], bool], tuple[int, int]]
"""(loc, key) -> (line, column): where a value (or, with `key`, its key) is written in the file."""


@dataclass(frozen=True)
class Loaded:
    """A configuration file as read: where it is (None when none was found or wanted) and what it says."""

    path: Path | None = None
    config: Config = field(default_factory=Config)
    locate: Locate | None = field(default=None, compare=False)
    """Where a value of the file is written (for problems found after loading: custom rule ids)."""

    @property
    def folder(self) -> Path:
        """The folder the file's paths are relative to (the working directory without a file)."""
        return self.path.parent if self.path else Path(".")

    def given(self) -> frozenset[str]:
        """The settings the file gives, by attribute name."""
        return frozenset(self.config.model_fields_set)


def find(start: Path | None = None) -> Path | None:
    """The nearest configuration file from `start` (default: the working directory) upward, or None."""
    folder = (start or Path.cwd()).absolute()
    for here in (folder, *folder.parents):
        for name in YAML_NAMES:
            if (here / name).is_file():
                return here / name
        pyproject = here / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _near(path: Path) -> Path:
    """A file found upward as messages name it: relative to the working directory (`../pyproject.toml`), as
    ruff and cfn-lint name their files, unless that is longer than the absolute path."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path
    return relative if len(str(relative)) <= len(str(path)) else path


def _has_table(pyproject: Path) -> bool:
    try:
        document = _toml(pyproject)
    except CaseError:
        return True  # broken: reading it reports where (a project's own pyproject is not passed over silently)
    return isinstance(document.get("tool"), dict) and "archcase" in document["tool"]


def load(path: str | Path | None = None, enabled: bool = True, start: Path | None = None) -> Loaded:
    """The configuration: the file `path` names, else `ARCHCASE_CONFIG`'s, else the nearest one found upward from
    `start`; none with `enabled` off. Raises CaseError, at the file and line, for a file that cannot be read, an
    unknown key (with the nearest known one) or a value that is not valid (an unknown pack or rule id, ...)."""
    if not enabled:
        return Loaded()
    named = path or os.environ.get(ENV) or None
    found = Path(named) if named else find(start)
    if found is None:
        return Loaded()
    if not named:
        found = _near(found)
    if named and not found.is_file():
        raise CaseError([Diagnostic(str(found), 1, 1, "configuration file not found",
                                    f"check the path given to --config or {ENV}, or pass --no-config")])
    if found.name == PYPROJECT or found.suffix == ".toml":
        document = _toml(found)
        table = document.get("tool", {}).get("archcase") if isinstance(document.get("tool"), dict) else None
        text = found.read_text(encoding="utf-8")
        data = table if table is not None else {}
        def at_toml(loc: tuple[str | int, ...], key: bool) -> tuple[int, int]:
            return _toml_position(text, loc)

        return Loaded(found, _validated(data, found, at_toml), at_toml)
    from .models import yamlsafe

    text = _read(found)
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise CaseError([Diagnostic(str(found), exc.line, exc.column, exc.message, exc.hint)]) from None
    data = {} if doc.data is None else doc.data
    def at_yaml(loc: tuple[str | int, ...], key: bool) -> tuple[int, int]:
        return doc.position(loc, key=key)

    return Loaded(found, _validated(data, found, at_yaml), at_yaml)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([Diagnostic(str(path), 1, 1, f"cannot read the configuration file: {exc}",
                                    "make it a readable UTF-8 file, or pass --no-config")]) from None


def _toml(path: Path) -> dict[str, Any]:
    text = _read(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(where[1]), int(where[2])) if where else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        raise CaseError([Diagnostic(str(path), line, column, f"not valid TOML: {message}",
                                    "fix the TOML (https://toml.io), or pass --no-config")]) from None


def _toml_position(text: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Where a key of `[tool.archcase]` is written (tomllib keeps no positions): the line, after the table's
    header, that assigns the last key named in `loc`; else the header; else the first line."""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*tool\s*\.\s*archcase\s*[\].]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return 1, 1
    names = [part for part in loc if isinstance(part, str)]
    if names:  # a key written as a table of its own: [tool.archcase.severity]
        table = re.compile(rf"""^\s*\[\s*tool\s*\.\s*archcase\s*\.\s*["']?{re.escape(names[0])}["']?\s*\]""")
        start = next((i for i, line in enumerate(lines) if table.match(line)), start)
        if len(names) == 1 and table.match(lines[start]):
            return start + 1, 1
    for name in reversed(names):
        key = re.compile(rf"""^\s*(?:[\w.-]+\.)?["']?{re.escape(name)}["']?\s*=|[{{,]\s*["']?{re.escape(name)}["']?\s*=""")
        for i in range(start + 1, len(lines)):
            if re.match(r"^\s*\[", lines[i]) and not header.match(lines[i]):
                break  # another table: the key is not written under ours
            found = key.search(lines[i])
            if found:
                return i + 1, len(lines[i]) - len(lines[i].lstrip()) + 1
    return start + 1, 1


def _validated(data: object, path: Path, locate: Locate) -> Config:
    name = str(path)
    if not isinstance(data, dict):
        raise CaseError([Diagnostic(name, *locate((), False), "the configuration is not a mapping of settings",
                                    f"write settings as `key: value` ({', '.join(KEYS)})")])
    problems: list[Diagnostic] = []
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [_diagnostic(error, name, locate) for error in errors]
        bad = {error["loc"][0] for error in errors if error["loc"]}
        try:  # the other keys' names are checked too, so that every problem is told at once
            config = Config.model_validate({key: value for key, value in data.items() if key not in bad})
        except ValidationError:
            raise CaseError(problems) from None
    problems += _unknown_names(config, name, locate)
    if problems:
        raise CaseError(sorted(problems, key=lambda problem: (problem.line, problem.column)))
    return config


def _diagnostic(error: Any, name: str, locate: Locate) -> Diagnostic:
    loc = tuple(error["loc"])
    where = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        known = KEYS if len(loc) == 1 else ()
        hint = did_you_mean(str(loc[-1]), known) or f"the keys are {', '.join(KEYS)}"
        return Diagnostic(name, *locate(loc, True), f"unknown key '{where}' in the archcase configuration", hint)
    if error["type"] == "literal_error" and loc[0] in ("fail-on", "severity"):
        return Diagnostic(name, *locate(loc, False), f"'{where}' is {_shown(error.get('input'))}, not a severity",
                          f"give one of {', '.join(reversed(SEVERITIES))}")
    return Diagnostic(name, *locate(loc, False), f"'{where}': {error['msg']}", _HINTS.get(str(loc[0]), ""))


_HINTS = {
    "paths": "give a list of files, folders or glob patterns",
    "exclude": "give a list of glob patterns",
    "select": "give a list of rule ids, such as [\"AC101\"] (`archcase rules` lists them)",
    "ignore": "give a list of rule ids, such as [\"AC101\"] (`archcase rules` lists them)",
    "rule-modules": "give a list of dotted Python module names, such as [\"my_rules.storage\"]",
}


def custom_id(rule_id: str) -> bool:
    """Whether `rule_id` is written as a custom rule's id (`checks.custom.CUSTOM_ID`), which only loading its
    module can tell known or not."""
    from .checks.custom import is_custom_id

    return is_custom_id(rule_id)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _unknown_names(config: Config, name: str, locate: Locate) -> Iterable[Diagnostic]:
    """Packs, rule ids and report formats the configuration names that archcase does not know."""
    from .checks.catalogue import RULES
    from .checks.formats import FORMATS
    from .checks.packs import PACKS

    if config.pack is not None and config.pack not in PACKS:
        yield Diagnostic(name, *locate(("pack",), False), f"unknown pack '{config.pack}'",
                         did_you_mean(config.pack, PACKS) or f"give one of {', '.join(sorted(PACKS))}")
    if config.format is not None and config.format not in FORMATS:
        yield Diagnostic(name, *locate(("format",), False), f"unknown report format '{config.format}'",
                         did_you_mean(config.format, FORMATS) or f"give one of {', '.join(FORMATS)}")
    named: list[tuple[tuple[str | int, ...], str, bool]] = [
        (("select", i), rule_id, False) for i, rule_id in enumerate(config.select or [])]
    named += [(("ignore", i), rule_id, False) for i, rule_id in enumerate(config.ignore)]
    named += [(("severity", rule_id), rule_id, True) for rule_id in config.severity]
    for loc, rule_id, key in named:
        if rule_id not in RULES and not custom_id(rule_id):  # a custom rule's id is known once its module is loaded
            hint = f"{did_you_mean(rule_id[:20], RULES)} see `archcase rules` for the catalogue".strip()
            yield Diagnostic(name, *locate(loc, key), f"unknown rule id '{_shown(rule_id)[1:-1]}' in '{loc[0]}'", hint)


COMMAND_LINE = "command line"
DEFAULT = "default"


@dataclass(frozen=True)
class Settings:
    """The settings a command runs with, and where each came from: `default`, the configuration file's path,
    or `command line`."""

    paths: tuple[str, ...]
    exclude: tuple[str, ...]
    pack: str
    pack_file: str | None
    fail_on: str | None
    """A severity, or `never` (given to `build`), or None: no threshold."""
    select: tuple[str, ...] | None
    ignore: tuple[str, ...]
    severity: Mapping[str, Severity]
    format: str
    output: str | None
    rule_modules: tuple[str, ...]
    exclude_root: Path
    """The folder `exclude` patterns are relative to (the configuration file's, or the working directory)."""
    sources: Mapping[str, str]
    """Where each setting (by attribute name) came from."""
    folder: Path = Path(".")
    """The configuration file's folder (searched for `rule-modules`, as the working directory is)."""
    locate: Locate | None = field(default=None, compare=False)
    """Where a value of the configuration file is written."""

    def pack_rules(self, entry_points: bool = True) -> Pack:
        """The pack with the custom rules of `rule_modules` (and, with `entry_points`, of installed packages), tailored
        by `select`, `ignore` and `severity` (`checks.packs.tailored`). CaseError for a rule module that does not load
        and for a rule id no rule has."""
        from .checks import custom, pack_file
        from .checks.packs import PACKS, tailored, with_custom

        loaded = custom.load(self.rule_modules, entry_points, (Path("."), self.folder))
        by_file = self.pack_file and not (self.sources["pack"] == COMMAND_LINE and self.sources["pack_file"] != COMMAND_LINE)
        pack = pack_file.load(Path(self.pack_file), loaded) if self.pack_file and by_file else with_custom(PACKS[self.pack], loaded)
        known = pack.known()
        unknown = [(name, i, rule_id) for name in ("select", "ignore", "severity") for i, rule_id in enumerate(getattr(self, name) or ())
                   if rule_id not in known]
        if unknown:
            raise CaseError([Diagnostic(self.sources[name], *self._where(name, i, rule_id),
                                        f"unknown rule id '{_shown(rule_id)[1:-1]}' in '{name}'",
                                        f"{did_you_mean(rule_id[:20], known)} no rule loaded has it: is its module in "
                                        "`rule-modules` or --rules? (`archcase rules` lists the catalogue)".strip())
                             for name, i, rule_id in unknown])
        return tailored(pack, self.select, self.ignore, self.severity)

    def _where(self, name: str, index: int, rule_id: str) -> tuple[int, int]:
        """Where a rule id of setting `name` is written: in the configuration file, else 1:1 (the command line)."""
        if self.locate is None or self.sources[name] in (COMMAND_LINE, DEFAULT):
            return 1, 1
        return self.locate(("severity", rule_id), True) if name == "severity" else self.locate((name.replace("_", "-"), index), False)

    def excludes(self) -> Excludes:
        return Excludes(self.exclude, self.exclude_root)

    def threshold(self) -> Severity | None:
        """`fail_on` as a severity; None for `never` or none given."""
        return next((severity for severity in SEVERITIES if severity == self.fail_on), None)

    def shown(self) -> dict[str, Any]:
        """Every setting as plain data, with its source, in a fixed order (`archcase config`)."""
        return {Config.model_fields[name].alias or name: {"value": _plain(getattr(self, name)), "source": self.sources[name]}
                for name in Config.model_fields}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(sorted(value.items()))
    return value


DEFAULTS: dict[str, Any] = {"paths": (), "exclude": (), "pack": "default", "pack_file": None, "fail_on": None, "select": None, "ignore": (),
                            "severity": {}, "format": "text", "output": None, "rule_modules": ()}


def settings(loaded: Loaded, flags: Mapping[str, Any] | None = None, defaults: Mapping[str, Any] | None = None) -> Settings:
    """Merge the defaults, the configuration file and the command line's `flags` (by attribute name; None or
    absent: not given). Paths of the file are made relative to its folder; `defaults` overrides a command's own."""
    values = {**DEFAULTS, **(defaults or {})}
    sources = dict.fromkeys(values, DEFAULT)
    given = loaded.given()
    source = str(loaded.path)
    for name in given:
        value = getattr(loaded.config, name)
        if name in ("paths", "output", "pack_file") and value is not None:
            value = [_relative(loaded.folder, p) for p in value] if name == "paths" else _relative(loaded.folder, value)
        values[name] = _frozen(value)
        sources[name] = source
    for name, value in (flags or {}).items():
        if value is not None and value != [] and value != ():
            values[name] = _frozen(value)
            sources[name] = COMMAND_LINE
    root = Path(".") if sources["exclude"] == COMMAND_LINE else loaded.folder  # a flag's patterns: from the working directory
    return Settings(**values, exclude_root=root, sources=sources, folder=loaded.folder, locate=loaded.locate)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _relative(folder: Path, path: str) -> str:
    """A path of the configuration file as seen from the working directory."""
    if Path(path).is_absolute() or folder == Path("."):
        return path
    joined = folder / path
    try:
        return os.path.relpath(joined)
    except ValueError:  # another drive (Windows)
        return str(joined)


def effective_text(settings_: Settings, path: Path | None) -> str:
    """`archcase config` as text: the file read, then each setting, its value and where it came from."""
    lines = [f"# configuration file: {path if path else 'none found'}"]
    for key, item in settings_.shown().items():
        lines.append(f"{key} = {_toml_value(item['value'])}  # {item['source']}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    import json

    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)

