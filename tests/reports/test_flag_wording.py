"""Every flag scoring can put on a metric, a game, a trait or a session has wording.

The flags are found in scoring's source: string literals (and the literal start of
f-strings, ``"ez_condition_unfit:"``) written where a flag is made (appended to a
``flags`` list, passed as ``flags=``, assigned to a ``*flags`` name or returned by a
``*_flags`` check), in every scoring module that scoring's session, traits,
engagement and game modules load.  An f-string with a field inside the name
(``f"no_{name}_trials"``) is expanded over the constant tuple its loop runs over.
The report itself never imports scoring; this test may.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from reports import labels

_FLAG = re.compile(r"[a-z][a-z0-9_]*:?")


def _scoring_modules() -> list[ModuleType]:
    import scoring.engagement
    import scoring.fairness  # the audit report shows its flags too
    import scoring.metrics
    import scoring.session
    import scoring.traits

    for found in pkgutil.iter_modules(scoring.metrics.__path__):
        importlib.import_module(f"scoring.metrics.{found.name}")
    del scoring
    return [m for name, m in sorted(sys.modules.items()) if name.split(".")[0] == "scoring"]


def _names_flags(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return "flag" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "flag" in node.attr.lower()
    return False


class _Flags:
    """The flag literals of one module's syntax tree."""

    def __init__(self, tree: ast.Module) -> None:
        self.constants: dict[str, tuple[str, ...]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
                values = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.value.elts):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.constants[target.id] = tuple(str(v) for v in values)
        self.loops: dict[str, tuple[str, ...]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                self.loops.setdefault(node.target.id, ())
                self.loops[node.target.id] += self._values(node.iter)
        # Functions taking ``*flags`` and dataclasses with a ``flags`` field, by name:
        # the position of the flags among their positional arguments.
        self.takes_flags: dict[str, int] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.args.vararg is not None:
                if "flag" in node.args.vararg.arg:
                    self.takes_flags[node.name] = len(node.args.args)
            elif isinstance(node, ast.ClassDef):
                fields = [
                    f.target.id
                    for f in node.body
                    if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)
                ]
                if "flags" in fields:
                    self.takes_flags[node.name] = fields.index("flags")
        self.found: set[str] = set()
        for node in ast.walk(tree):
            self._visit(node)

    def _values(self, node: ast.AST) -> tuple[str, ...]:
        if isinstance(node, ast.Name):
            return self.constants.get(node.id, ())
        if isinstance(node, ast.Tuple | ast.List):
            values: tuple[str, ...] = ()
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    values += (element.value,)
                elif isinstance(element, ast.Starred):
                    values += self._values(element.value)
            return values
        return ()

    def _strings(self, node: ast.AST) -> Iterator[str]:
        """String literals in ``node``, not looking into calls (their arguments are data)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield from self._fstring(node)
        elif not isinstance(node, ast.Call):
            for child in ast.iter_child_nodes(node):
                yield from self._strings(child)

    def _fstring(self, node: ast.JoinedStr) -> Iterator[str]:
        parts: list[tuple[str, ...]] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append((str(value.value),))
            elif len(parts) and parts[-1][0].endswith(":") and len(parts) == 1:
                yield parts[0][0]  # "<kind>:{detail}": the kind is the flag
                return
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                parts.append(self.loops.get(value.value.id, ()))
            else:
                return
        names = [""]
        for options in parts:
            names = [name + option for name in names for option in options]
        yield from names

    def _visit(self, node: ast.AST) -> None:
        candidates: list[ast.AST] = []
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("append", "extend")
                and _names_flags(func.value)
            ):
                for arg in node.args:
                    candidates.append(arg.elt if isinstance(arg, ast.GeneratorExp) else arg)
            candidates += [kw.value for kw in node.keywords if kw.arg and "flag" in kw.arg]
            if isinstance(func, ast.Name) and func.id in self.takes_flags:
                candidates += node.args[self.takes_flags[func.id] :]
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_names_flags(t) for t in targets):
                candidates.append(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name.endswith("_flags"):
            candidates += [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
        for candidate in candidates:
            self.found.update(s for s in self._strings(candidate) if _FLAG.fullmatch(s))


def scoring_flags() -> dict[str, str]:
    """Every flag scoring can raise (a ``"<kind>:"`` for a family) and a module raising it."""
    flags: dict[str, str] = {}
    for module in _scoring_modules():
        source = Path(inspect.getfile(module)).read_text(encoding="utf-8")
        for flag in _Flags(ast.parse(source)).found:
            flags.setdefault(flag, module.__name__)
    from scoring.engagement import CODES

    for code in CODES:
        flags.setdefault(code, "scoring.engagement")
    return flags


FLAGS = scoring_flags()


def test_the_scan_finds_the_flags_it_should() -> None:
    """The scan itself works: known flags of each kind of source are found."""
    expected = {
        "low_data",  # _engine: appended
        "ez_condition_unfit:",  # _engine: f-string family
        "invalid_rt_variance",  # ddm: a helper's flags
        "insufficient_coverage",  # traits
        "low_data:",  # traits: family
        "side_bias",  # quality: returned by a *_flags check
        "level_not_offered",  # game module: flags=(...)
        "no_forward_trials",  # digits: f-string over a constant tuple
        "no_left_hand_trials",  # keypresses: f-string over a loop
        "norms_other_design:",  # session
        "too_fast_responding",  # engagement
        "edge_needs_n_trials",  # ddm: passed to a function taking *flags
        "no_values",  # reliability: a positional flags tuple of a result class
    }
    assert expected <= set(FLAGS)
    assert not {"response_side", "correct_side", ""} & set(FLAGS)


@pytest.mark.parametrize("language", labels.LANGUAGES)
@pytest.mark.parametrize("flag", sorted(FLAGS))
def test_every_scoring_flag_has_wording(flag: str, language: str) -> None:
    shown = flag + "detail" if flag.endswith(":") else flag
    name = labels.flag_name(language, shown)
    explanation = labels.flag_explanation(language, shown)
    assert explanation, f"{flag} (from {FLAGS[flag]}) has no {language} explanation"
    assert "_" not in name, f"{flag}: the {language} name is a machine name: {name!r}"
    assert explanation.rstrip().endswith("."), explanation
    sentence = explanation.strip().replace("et al.", "et al")
    assert len(re.findall(r"[.!?](\s|$)", sentence)) == 1, (
        f"{flag}: the {language} explanation should be one sentence: {explanation!r}"
    )
