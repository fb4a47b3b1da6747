"""The safe condition language of rule packs (`when = "..."`), evaluated on whole columns.

A condition is a Python-looking expression parsed with `ast` (mode `eval`) and checked against
a whitelist before anything runs; user text is never passed to `eval`. Allowed:

- numbers (`0.25`, `3`, `1e3`) and `true` / `false` (also `True` / `False`);
- names: metric names of the rule's level and the rule's own params (nothing else); flag
  metrics (`is_brand`, `is_keyword`, ...) are conditions, the others numbers;
- arithmetic `+ - * /`, unary minus, and `**` with a constant exponent between -4 and 4;
- comparisons `< <= > >= == !=`, chained too (`0 < cvr <= 0.02`);
- `and`, `or`, `not` (element-wise on whole columns);
- calls to the functions in `FUNCTIONS` only (`min`, `max`, `abs`, `log`, `sqrt`, ...).

Everything else (attribute access, subscripts, strings, lambdas, comprehensions, keyword
arguments, names starting with `_`) is rejected with a message saying what and where.
Types are checked too: arithmetic takes numbers, `and`/`or`/`not` take conditions, and the
whole expression must be a condition.

Missing values: a metric that cannot be computed for a row (CPA without conversions, ROAS
without cost) is NaN, and every comparison with NaN is false. `coalesce(cpa, 0)` gives a
default.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

MAX_LENGTH = 500
MAX_DEPTH = 24
MAX_EXPONENT = 4

Value = np.ndarray | float

FUNCTIONS: dict[str, tuple[int, int, Callable[..., Value]]] = {
    "min": (2, 8, lambda *a: _fold(np.fmin, a)),
    "max": (2, 8, lambda *a: _fold(np.fmax, a)),
    "abs": (1, 1, np.abs),
    "log": (1, 1, np.log),
    "log10": (1, 1, np.log10),
    "sqrt": (1, 1, np.sqrt),
    "exp": (1, 1, np.exp),
    "coalesce": (2, 2, lambda a, b: np.where(np.isnan(a), b, a)),
}
"""name -> (fewest args, most args, element-wise implementation). min/max ignore NaN
arguments (`max(cpa, 10)` is 10 where CPA is unknown); the others propagate NaN."""

_ARITH: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Value, Value], Value]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_CONSTANT_NAMES = {"true": True, "false": False, "True": True, "False": False}
_NUM, _BOOL = "number", "condition"


class ExprError(ValueError):
    """An expression the language does not allow; the message says what and where."""


def _fold(fn: Callable[[Value, Value], Value], args: tuple[Value, ...]) -> Value:
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


@dataclass(frozen=True)
class Expr:
    """A checked expression: its source text, its tree, and the names it reads."""

    text: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, env: Mapping[str, Value], size: int) -> np.ndarray:
        """A boolean array of length `size` (a number-valued expression returns numbers)."""
        with np.errstate(all="ignore"):
            out = _eval(self.tree.body, env.__getitem__)
        return np.broadcast_to(np.asarray(out), (size,))

    def select(
        self,
        read: Callable[[str, np.ndarray], Value],
        rows: np.ndarray,
        costly: Callable[[str], bool],
    ) -> np.ndarray:
        """The rows of `rows` (ascending) where the condition holds.

        `read(name, rows)` gives a name's values at some rows (or one number for all). The
        operands of a top-level `and` narrow the rows one after another, and those reading a
        name `costly` says is costly go last, so a costly metric is read only at the rows
        every other operand let through. Every operation is element-wise, so the rows are
        those of `evaluate` on whole columns.
        """
        body = self.tree.body
        is_and = isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And)
        operands = body.values if is_and else [body]
        ordered = sorted(operands, key=lambda node: any(map(costly, _names(node))))
        with np.errstate(all="ignore"):
            for node in ordered:
                if not len(rows):
                    break
                holds = _eval(node, lambda name, at=rows: read(name, at))
                rows = rows[np.broadcast_to(np.asarray(holds, dtype=bool), rows.shape)]
        return rows


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _where(node: ast.AST) -> str:
    return f"at column {getattr(node, 'col_offset', 0) + 1}"


_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts ([...])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.IfExp: "if/else expressions",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "* unpacking",
    ast.JoinedStr: "text (strings)",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.Await: "await",
    ast.Yield: "yield",
}


class _Checker:
    """Walks the tree once: rejects what is not whitelisted and infers number/condition."""

    def __init__(self, allowed: frozenset[str], flags: frozenset[str]) -> None:
        self.allowed = allowed | flags
        self.flags = flags
        self.names: set[str] = set()

    def check(self, node: ast.AST, depth: int = 0) -> str:
        if depth > MAX_DEPTH:
            raise ExprError(f"nested too deeply (more than {MAX_DEPTH} levels)")
        kind = _FORBIDDEN.get(type(node))
        if kind is not None:
            raise ExprError(f"{kind} not allowed {_where(node)}")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise ExprError(f"{type(node).__name__} not allowed {_where(node)}")
        return method(node, depth + 1)

    def _want(self, node: ast.AST, depth: int, kind: str, role: str) -> None:
        got = self.check(node, depth)
        if got != kind:
            raise ExprError(f"{role} needs a {kind}, got a {got} {_where(node)}")

    def _Constant(self, node: ast.Constant, depth: int) -> str:
        if isinstance(node.value, bool):
            return _BOOL
        if isinstance(node.value, int | float):
            return _NUM
        raise ExprError(f"constant {node.value!r} not allowed {_where(node)} (numbers only)")

    def _Name(self, node: ast.Name, depth: int) -> str:
        if node.id.startswith("_"):
            raise ExprError(f"name {node.id!r} not allowed {_where(node)}")
        if node.id in _CONSTANT_NAMES:
            return _BOOL
        if node.id not in self.allowed:
            raise ExprError(f"unknown name {node.id!r} {_where(node)}{_close(node.id, self)}")
        self.names.add(node.id)
        return _BOOL if node.id in self.flags else _NUM

    def _BinOp(self, node: ast.BinOp, depth: int) -> str:
        if type(node.op) not in _ARITH:
            raise ExprError(f"operator {type(node.op).__name__} not allowed {_where(node)}")
        if isinstance(node.op, ast.Pow):
            _check_exponent(node.right)
        if (
            isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 0
        ):
            raise ExprError(f"division by zero {_where(node)}")
        self._want(node.left, depth, _NUM, "arithmetic")
        self._want(node.right, depth, _NUM, "arithmetic")
        return _NUM

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> str:
        if isinstance(node.op, ast.Not):
            self._want(node.operand, depth, _BOOL, "'not'")
            return _BOOL
        if isinstance(node.op, ast.USub | ast.UAdd):
            self._want(node.operand, depth, _NUM, "unary minus")
            return _NUM
        raise ExprError(f"operator {type(node.op).__name__} not allowed {_where(node)}")

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> str:
        for value in node.values:
            self._want(value, depth, _BOOL, "'and'/'or'")
        return _BOOL

    def _Compare(self, node: ast.Compare, depth: int) -> str:
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExprError(f"comparison {type(op).__name__} not allowed {_where(node)}")
        for operand in (node.left, *node.comparators):
            self._want(operand, depth, _NUM, "comparison")
        return _BOOL

    def _Call(self, node: ast.Call, depth: int) -> str:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExprError(f"call to {name!r} not allowed {_where(node)} (allowed: {allowed})")
        if node.keywords:
            raise ExprError(f"keyword arguments not allowed {_where(node)}")
        low, high, _ = FUNCTIONS[node.func.id]
        if not low <= len(node.args) <= high:
            raise ExprError(
                f"{node.func.id}() takes {low}"
                + (f" to {high}" if high != low else "")
                + f" argument(s), got {len(node.args)} {_where(node)}"
            )
        for arg in node.args:
            self._want(arg, depth, _NUM, f"{node.func.id}()")
        return _NUM


def _close(name: str, checker: _Checker) -> str:
    from difflib import get_close_matches

    near = get_close_matches(name, sorted(checker.allowed), n=3)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def _check_exponent(node: ast.AST) -> None:
    value = node
    sign = 1
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        value, sign = value.operand, -1
    if not (
        isinstance(value, ast.Constant)
        and isinstance(value.value, int | float)
        and not isinstance(value.value, bool)
    ):
        raise ExprError(f"the exponent of ** must be a number constant {_where(node)}")
    if abs(sign * value.value) > MAX_EXPONENT:
        raise ExprError(
            f"exponent {sign * value.value} too large {_where(node)} (at most {MAX_EXPONENT})"
        )


def compile_expr(
    text: str,
    allowed: frozenset[str],
    flags: frozenset[str] = frozenset(),
    *,
    want: str = _BOOL,
) -> Expr:
    """Parse and check `text`; `allowed` are the number names it may read, `flags` the
    condition names (boolean metrics)."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"too long ({len(text)} characters; at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression at column {exc.offset or 0}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("not a valid expression (too complex)") from None
    checker = _Checker(allowed, flags)
    try:
        kind = checker.check(tree.body)
    except RecursionError:
        raise ExprError(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    if kind != want:
        raise ExprError(f"must be a {want}, not a {kind} (compare it with something)")
    return Expr(text=text, tree=tree, names=frozenset(checker.names))


def _eval(node: ast.AST, env: Callable[[str], Value]) -> Value:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return _CONSTANT_NAMES[node.id] if node.id in _CONSTANT_NAMES else env(node.id)
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return np.logical_not(operand)
        return np.negative(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BoolOp):
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return _fold(combine, tuple(_eval(v, env) for v in node.values))
    if isinstance(node, ast.Compare):
        return _compare(node, env)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [np.asarray(_eval(a, env), dtype="float64") for a in node.args]
        return FUNCTIONS[node.func.id][2](*args)
    raise ExprError(f"{type(node).__name__} cannot be evaluated")


def _compare(node: ast.Compare, env: Callable[[str], Value]) -> Value:
    left = _eval(node.left, env)
    out: Value = True
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, env)
        out = np.logical_and(out, _COMPARE[type(op)](left, right))
        left = right
    return out
