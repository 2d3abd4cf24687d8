"""Read infra/*.bicep with pycep-parser and walk the JSON-like tree it returns.

pycep gives every file as a dict with `parameters`, `variables`, `resources`, `modules` and
`outputs`. Expressions are nested dicts (`{"function": ...}`, `{"operator": ...}`); identifiers and
string literals are both plain `str`, and interpolated strings keep their `${...}` text. `render`
turns an expression back into compact text so tests can compare it with what the template means.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra"
MAIN_BICEP = INFRA_DIR / "main.bicep"
MODULES_DIR = INFRA_DIR / "modules"
PARAMETERS_JSON = INFRA_DIR / "main.parameters.json"
AZURE_YAML = REPO_ROOT / "azure.yaml"

Tree = dict[str, Any]


@functools.cache
def _parser() -> BicepParser:
    return BicepParser()


def bicep_files() -> list[Path]:
    """Every Bicep file under infra/, sorted."""
    return sorted(INFRA_DIR.rglob("*.bicep"))


@functools.cache
def parse(path: Path) -> Tree:
    """The pycep tree of one Bicep file (parsed once per test session)."""
    return cast(Tree, _parser().parse(file_path=path))


def module_file(name: str) -> Path:
    return MODULES_DIR / f"{name}.bicep"


@dataclass(frozen=True)
class Resource:
    """One `resource` declaration with its loop and condition unwrapped."""

    file: Path
    symbol: str
    type: str
    existing: bool
    body: Tree
    condition: Any
    loop: Tree | None

    @property
    def properties(self) -> Tree:
        props: Tree = self.body.get("properties", {})
        return props


@dataclass(frozen=True)
class Module:
    """One `module` call in a Bicep file."""

    file: Path
    symbol: str
    target: Path
    body: Tree
    condition: Any

    @property
    def params(self) -> Tree:
        params: Tree = self.body.get("params", {})
        return params


def _unwrap(config: Tree) -> tuple[Tree, Any, Tree | None]:
    """pycep nests the body under `config` when a declaration has a loop or a condition."""
    if "loop_type" in config or set(config) == {"condition", "config"}:
        return config["config"], config.get("condition"), config.get("loop_type")
    return config, None, None


def resources(path: Path) -> list[Resource]:
    found = []
    for symbol, raw in parse(path).get("resources", {}).items():
        body, condition, loop = _unwrap(raw["config"])
        found.append(Resource(path, symbol, raw["type"], raw["existing"], body, condition, loop))
    return found


def all_resources() -> list[Resource]:
    return [res for path in bicep_files() for res in resources(path)]


def declared(resource_type: str) -> list[Resource]:
    """Resources of a type that a template creates (not `existing` references)."""
    return [r for r in all_resources() if r.type == resource_type and not r.existing]


def only(resource_type: str) -> Resource:
    """The single created resource of a type."""
    matches = declared(resource_type)
    assert len(matches) == 1, f"expected one {resource_type}, found {len(matches)}"
    return matches[0]


def resource(path: Path, symbol: str) -> Resource:
    for res in resources(path):
        if res.symbol == symbol:
            return res
    raise KeyError(f"{path.name} declares no resource {symbol!r}")


def modules(path: Path) -> list[Module]:
    found = []
    for symbol, raw in parse(path).get("modules", {}).items():
        body, condition, _ = _unwrap(raw["config"])
        target = (path.parent / raw["detail"]["path"]).resolve()
        found.append(Module(path, symbol, target, body, condition))
    return found


def module_calling(target: Path) -> Module:
    """The call in main.bicep that deploys a module file."""
    calls = [m for m in modules(MAIN_BICEP) if m.target == target.resolve()]
    assert len(calls) == 1, f"main.bicep should call {target.name} once, calls it {len(calls)}"
    return calls[0]


def parameters(path: Path) -> Tree:
    params: Tree = parse(path).get("parameters", {})
    return params


def variables(path: Path) -> dict[str, Any]:
    return {name: var["value"] for name, var in parse(path).get("variables", {}).items()}


def outputs(path: Path) -> Tree:
    outs: Tree = parse(path).get("outputs", {})
    return outs


def decorator_types(param: Tree) -> set[str]:
    return {d["type"] for d in param.get("decorators", [])}


def unquote(key: str) -> str:
    """Object keys keep their quotes in pycep ('azd-service-name')."""
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == "'" else key


def _accessor_path(node: Any) -> list[Any]:
    if isinstance(node, dict) and node.get("operator", {}).get("type") == "property_accessor":
        operands = node["operator"]["operands"]
        return [*_accessor_path(operands["operand_1"]), *_accessor_path(operands["operand_2"])]
    return [node]


def render(node: Any, variables: Mapping[str, Any] | None = None) -> str:
    """Compact text of an expression; identifiers naming a variable are replaced by its value."""
    variables = variables or {}
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int):
        return str(node)
    if isinstance(node, str):
        if node in variables:
            return render(variables[node], variables)
        return node
    if isinstance(node, list):
        return "[" + ", ".join(render(item, variables) for item in node) + "]"
    if "function" in node:
        function = node["function"]
        args = [
            render(value, variables)
            for value in function.get("parameters", {}).values()
            if value is not None
        ]
        return f"{function['type']}({', '.join(args)})"
    if "operator" in node:
        operator = node["operator"]
        if operator["type"] == "property_accessor":
            return _render_accessor(_accessor_path(node), variables)
        operands = operator["operands"]
        if operator["type"] == "conditional":
            return (
                f"({render(operands['condition'], variables)})"
                f" ? {render(operands['true_value'], variables)}"
                f" : {render(operands['false_value'], variables)}"
            )
        args = [render(value, variables) for value in operands.values()]
        return f"{operator['type']}({', '.join(args)})"
    return "{" + ", ".join(f"{unquote(k)}: {render(v, variables)}" for k, v in node.items()) + "}"


def _render_accessor(path: list[Any], variables: Mapping[str, Any]) -> str:
    head, rest = path[0], path[1:]
    if isinstance(head, str) and head in variables:
        value = variables[head]
        while rest and isinstance(value, dict) and rest[0] in value:
            value, rest = value[rest[0]], rest[1:]
        if not rest:
            return render(value, variables)
    return ".".join(render(part) for part in path)


_ARITHMETIC = {
    "add": lambda a, b: a + b,
    "substract": lambda a, b: a - b,  # pycep's spelling
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a // b,
    "modulo": lambda a, b: a % b,
}


def evaluate_int(node: Any, names: Mapping[str, Any]) -> int:
    """Evaluate an integer expression the way ARM does (integer division), names from `names`."""
    if isinstance(node, bool):
        raise TypeError("not an integer expression")
    if isinstance(node, int):
        return node
    if isinstance(node, str):
        return evaluate_int(names[node], names)
    operator = node["operator"]
    left, right = operator["operands"].values()
    return int(_ARITHMETIC[operator["type"]](evaluate_int(left, names), evaluate_int(right, names)))


def walk(node: Any) -> Iterator[Any]:
    """Every node of a tree, depth first."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)
