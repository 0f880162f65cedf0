"""The problem corpus: loading the dataset files of `datasets/`, computed tags, splits and selection.

Public API
----------
- `DATASETS_DIR`: the `datasets/` folder of the repository.
- `CorpusEntry`: one problem (id, collection, Problem, metadata, file); `.split` and `.tags` are computed.
- `load_dataset(path) -> list[CorpusEntry]`: one dataset file, or a suite file (`include:` header, see below).
- `load_datasets(paths) -> list[CorpusEntry]`: several files or suite names, duplicates removed by id.
- `load_all_datasets(directory=DATASETS_DIR) -> list[CorpusEntry]`: every problem of every dataset file.
- `dataset_files(directory) -> list[Path]`, `dataset_summary(directory) -> list[DatasetInfo]` (for
  `ineq datasets`), `resolve_dataset(name_or_path, directory)`.
- `split_of(entry_id, collection) -> "train" | "dev" | "test"`.
- `compute_tags(problem) -> Tags`; `Tags.labels()` is the flat set of strings that `tag=` filters match.
- `parse_filter("key=v1,v2") -> Filter`, `select(entries, filters)`, `sample(entries, n)`.
- `DatasetError(ValueError)`: a missing file, a bad suite, a bad filter. (Unreadable dataset files raise
  `ineq.parse.ParseError`, which names the file, line and column.)

Suite files
-----------
A suite file is a dataset file with no entries whose header has `include: a.ineq, b.ineq`: it stands for
the entries of the named files (paths relative to the suite file). `datasets/lips_suite.ineq` is one, so the
LIPS problems are stored once and still have a file to pass to `ineq bench`.

Splits
------
Deterministic, by the id alone: the first 8 hex digits of sha256(id) modulo 100 give train (< 80), dev
(< 90) or test. The LIPS collections (MO-INT-20, ChenNEQ, 567NEQ) are always test, so that they stay an
untouched evaluation set for anything learned from the rest.

Tags
----
Computed from the parsed Problem, never written by hand (see `compute_tags` for the exact definitions).
"""

from __future__ import annotations

import fnmatch
import hashlib
import random
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path

import mpmath
import sympy

from ineq.parse import cyclic_order, parse_dataset_file
from ineq.problem import Problem

DATASETS_DIR = Path(__file__).resolve().parent.parent / "datasets"
DATASET_SUFFIX = ".ineq"
TEST_ONLY_COLLECTIONS = frozenset({"lips_mo_int_20", "lips_chenneq", "lips_567neq"})
SPLITS = ("train", "dev", "test")
# Percentages of the hash buckets that go to train and dev; the rest is test.
TRAIN_PERCENT, DEV_PERCENT = 80, 10

KINDS = ("polynomial", "rational", "radical", "other")
SYMMETRIES = ("symmetric", "cyclic", "nonsymmetric")
CONSTRAINT_KINDS = ("positivity", "bounds", "ordering", "equality", "inequality-constraint")


class DatasetError(ValueError):
    """A dataset path, suite or filter that cannot be used (the message says which and why)."""


# ---- splits ------------------------------------------------------------------------------------


def split_of(entry_id: str, collection: str) -> str:
    """'train', 'dev' or 'test' for an entry: test for the LIPS collections, else by sha256 of the id."""
    if collection in TEST_ONLY_COLLECTIONS:
        return "test"
    bucket = int(hashlib.sha256(entry_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    if bucket < TRAIN_PERCENT:
        return "train"
    if bucket < TRAIN_PERCENT + DEV_PERCENT:
        return "dev"
    return "test"


# ---- tags --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tags:
    """Computed facts about a problem.

    - `variables`: number of variables.
    - `kind`: the most general construct anywhere in the assumptions or goal: `polynomial`; `rational`
      (a variable in a denominator); `radical` (a fractional power of a non-constant base: sqrt, cbrt,
      root, x^(p/q)); `other` (abs, min, max, exp, log, a variable exponent). Constants such as sqrt(3)
      do not count.
    - `degree`: for polynomial and rational goals, the total degree of the numerator of
      `together(lhs - rhs)` (for a polynomial goal, the degree of lhs - rhs); None otherwise.
    - `homogeneous`: the goal's numerator and denominator (as above) are homogeneous polynomials.
    - `symmetry`: `symmetric` if the goal's lhs - rhs and the set of assumptions are invariant under
      every permutation of the variables; `cyclic` if only under the cyclic shift of `cyclic_order`;
      `nonsymmetric` otherwise.
    - `constraints`: kinds of assumptions: `positivity` (v > 0, v >= 0), `bounds` (v against a nonzero
      constant, or v <= 0), `ordering` (v against another variable), `equality` (any `=`),
      `inequality-constraint` (any other inequality); empty for an unconstrained problem.
    - `strict`: the goal is a strict inequality.
    """

    variables: int
    kind: str
    degree: int | None
    homogeneous: bool
    symmetry: str
    constraints: tuple[str, ...]
    strict: bool

    def labels(self) -> frozenset[str]:
        """The flat tag strings: kind, symmetry, constraint kinds (or 'unconstrained'), 'strict' or
        'nonstrict', 'homogeneous', 'vars=N' and 'degree=D'."""
        labels = {self.kind, self.symmetry, "strict" if self.strict else "nonstrict", f"vars={self.variables}"}
        labels.update(self.constraints or ("unconstrained",))
        if self.degree is not None:
            labels.add(f"degree={self.degree}")
        if self.homogeneous:
            labels.add("homogeneous")
        return frozenset(labels)

    def to_json(self) -> dict:
        return {"variables": self.variables, "kind": self.kind, "degree": self.degree,
                "homogeneous": self.homogeneous, "symmetry": self.symmetry,
                "constraints": list(self.constraints), "strict": self.strict}


def compute_tags(problem: Problem) -> Tags:
    """The `Tags` of a problem (deterministic; see `Tags` for the definitions)."""
    expressions = [problem.goal.lhs, problem.goal.rhs]
    expressions += list(chain.from_iterable((a.lhs, a.rhs) for a in problem.assumptions))
    kind = KINDS[max(_kind_rank(e) for e in expressions)]
    goal, _ = problem.goal.normalized()
    goal_kind = KINDS[max(_kind_rank(problem.goal.lhs), _kind_rank(problem.goal.rhs))]
    degree, homogeneous = None, False
    if goal_kind in ("polynomial", "rational"):
        degree, homogeneous = _degree(goal, problem.variables)
    return Tags(
        variables=len(problem.variables),
        kind=kind,
        degree=degree,
        homogeneous=homogeneous,
        symmetry=_symmetry(problem, kind),
        constraints=_constraint_kinds(problem),
        strict=problem.goal.strict,
    )


_RANK = {name: rank for rank, name in enumerate(KINDS)}


def _kind_rank(expr: sympy.Expr) -> int:
    if not expr.free_symbols or expr.is_Symbol:
        return _RANK["polynomial"]
    if expr.is_Pow:
        base, exponent = expr.args
        inner = _kind_rank(base)
        if exponent.free_symbols:
            return _RANK["other"]
        if exponent.is_Integer:
            return max(inner, _RANK["rational"] if exponent < 0 else _RANK["polynomial"])
        if exponent.is_Rational:
            # cbrt and odd roots are written sign(u) * |u|^(1/n): the |u| here is part of the radical
            if isinstance(base, sympy.Abs):
                inner = _kind_rank(base.args[0])
            return max(inner, _RANK["radical"])
        return _RANK["other"]
    if isinstance(expr, sympy.sign):  # only produced by real odd roots (see above)
        return max(_RANK["radical"], _kind_rank(expr.args[0]))
    if expr.is_Add or expr.is_Mul:
        return max(_kind_rank(arg) for arg in expr.args)
    return _RANK["other"]


def _degree(goal: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> tuple[int | None, bool]:
    """Degree of the numerator of together(goal), and whether numerator and denominator are homogeneous.

    Computed on the line v = r_v * t through random rational directions r (fixed seed): the total degree
    of a polynomial P is the degree in t of P(r t), and P is homogeneous iff P(r t) is a single power of
    t, both with probability 1. This avoids expanding large multivariate numerators.
    """
    numerator, denominator = sympy.fraction(sympy.together(goal))
    t = sympy.Dummy("t")
    rng = random.Random(0)
    line = {v: sympy.Rational(rng.randint(1, 10**6), rng.randint(1, 10**6)) * t for v in variables}
    try:
        top = sympy.Poly(numerator.xreplace(line), t)
        bottom = sympy.Poly(denominator.xreplace(line), t)
    except sympy.PolynomialError:  # not a polynomial in the variables after all
        return None, False
    return top.degree(), len(top.terms()) == 1 and len(bottom.terms()) == 1


def _constraint_kinds(problem: Problem) -> tuple[str, ...]:
    found = set()
    variables = set(problem.variables)
    for assumption in problem.assumptions:
        g, op = assumption.normalized()
        if op == "=":
            found.add("equality")
            continue
        g = sympy.expand(g)
        symbols = g.free_symbols & variables
        linear = g.is_polynomial(*symbols) and sympy.Poly(g, *symbols).total_degree() == 1 if symbols else False
        if linear and len(symbols) == 1:
            (v,) = symbols
            coefficient, constant = g.coeff(v), g.subs(v, 0)
            found.add("positivity" if coefficient > 0 and constant == 0 else "bounds")
        elif linear and len(symbols) == 2 and g.subs({s: 0 for s in symbols}) == 0 and \
                sorted(g.coeff(s) for s in symbols) == [-1, 1]:
            found.add("ordering")
        else:
            found.add("inequality-constraint")
    return tuple(kind for kind in CONSTRAINT_KINDS if kind in found)


def _symmetry(problem: Problem, kind: str) -> str:
    order = [next(v for v in problem.variables if v.name == name) for name in cyclic_order(problem.variables)]
    if len(order) < 2:
        return "symmetric"
    shift = {order[i]: order[(i + 1) % len(order)] for i in range(len(order))}
    if not _invariant(problem, shift, kind):
        return "nonsymmetric"
    swap = {order[0]: order[1], order[1]: order[0]}
    # the cyclic shift and one transposition generate every permutation
    return "symmetric" if len(order) == 2 or _invariant(problem, swap, kind) else "cyclic"


def _invariant(problem: Problem, mapping: dict, kind: str) -> bool:
    goal, _ = problem.goal.normalized()
    if not _same(goal.xreplace(mapping), goal, kind):
        return False
    normalized = [a.normalized() for a in problem.assumptions]
    for g, op in normalized:
        image = g.xreplace(mapping)
        if not any(op == other_op and (_same(image, other, kind) or (op == "=" and _same(image, -other, kind)))
                   for other, other_op in normalized):
            return False
    return True


def _same(first: sympy.Expr, second: sympy.Expr, kind: str) -> bool:
    """Whether two expressions are identically equal: structurally, or else at three random points
    (fixed seed, so tags are deterministic) -- exactly in rationals for polynomial and rational
    expressions, to 30 digits otherwise. A random-point test avoids expanding large expressions."""
    difference = first - second
    if difference == 0:
        return True
    rng = random.Random(0)
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    exact = kind in ("polynomial", "rational")
    # numeric evaluation through mpmath: sympy's evalf(subs=...) re-simplifies min/max and is slow
    numeric = None if exact else sympy.lambdify(symbols, difference, modules="mpmath")
    checked = 0
    for _ in range(12):  # a point where a denominator vanishes is skipped, not counted
        point = [sympy.Rational(rng.randint(1, 10**6), rng.randint(1, 10**6)) for _ in symbols]
        if exact:
            value = difference.xreplace(dict(zip(symbols, point)))
            if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or not value.is_number:
                continue
            if value != 0:
                return False
        else:
            with mpmath.workdps(30):
                try:
                    value = numeric(*(mpmath.mpf(p.p) / p.q for p in point))
                except (ZeroDivisionError, ValueError, OverflowError):
                    continue
                if not mpmath.isfinite(value):
                    continue
                if abs(value) > mpmath.mpf(10) ** -20:
                    return False
        checked += 1
        if checked == 3:
            return True
    return False


# ---- entries and files -------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusEntry:
    """A problem of the corpus. `metadata` is the file header merged with the entry's own fields."""

    id: str
    collection: str
    problem: Problem
    metadata: dict[str, str] = field(hash=False, compare=False)
    file: str = ""

    @property
    def split(self) -> str:
        return split_of(self.id, self.collection)

    @cached_property
    def tags(self) -> Tags:
        return compute_tags(self.problem)

    @property
    def source(self) -> str:
        return self.metadata.get("source", "")

    @property
    def license(self) -> str:
        return self.metadata.get("license", "")


@dataclass(frozen=True)
class DatasetInfo:
    """One row of `ineq datasets`: a file, its entry count, and what it is."""

    path: Path
    count: int
    collection: str
    license: str
    suite: bool


def _read(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"cannot read dataset file {path}: {error.strerror or error}") from None
    return parse_dataset_file(text, str(path))


def _includes(path: Path, header: dict[str, str]) -> list[Path]:
    return [path.parent / name.strip() for name in header.get("include", "").split(",") if name.strip()]


def load_dataset(path: str | Path, _seen: tuple[Path, ...] = ()) -> list[CorpusEntry]:
    """The entries of one dataset file, or of the files a suite file includes (in include order)."""
    path = Path(path)
    if path.resolve() in _seen:
        raise DatasetError(f"suite file {path} includes itself (through {', '.join(map(str, _seen))})")
    parsed = _read(path)
    included = _includes(path, parsed.header)
    if included and parsed.entries:
        raise DatasetError(f"{path}: a suite file (with 'include:') may not hold entries of its own")
    if included:
        return list(chain.from_iterable(load_dataset(p, _seen + (path.resolve(),)) for p in included))
    default_collection = parsed.header.get("collection") or path.stem
    return [CorpusEntry(e.id, e.metadata.get("collection", default_collection), e.problem, e.metadata, str(path))
            for e in parsed.entries]


def resolve_dataset(name: str | Path, directory: Path = DATASETS_DIR) -> Path:
    """A path as given if it exists, else `directory/NAME.ineq` (so `lips_suite` names the suite file)."""
    path = Path(name)
    if path.exists():
        return path
    candidate = directory / (path.name if path.suffix == DATASET_SUFFIX else path.name + DATASET_SUFFIX)
    if candidate.exists():
        return candidate
    known = ", ".join(p.stem for p in dataset_files(directory)) if directory.is_dir() else "(none)"
    raise DatasetError(f"no dataset file {str(name)!r}; known datasets in {directory}: {known}")


def load_datasets(names: list[str | Path], directory: Path = DATASETS_DIR) -> list[CorpusEntry]:
    """The entries of several files or dataset names, in order; an id seen twice is kept once."""
    entries: dict[str, CorpusEntry] = {}
    for name in names:
        for entry in load_dataset(resolve_dataset(name, directory)):
            entries.setdefault(entry.id, entry)
    return list(entries.values())


def dataset_files(directory: Path = DATASETS_DIR) -> list[Path]:
    """Every `*.ineq` file of a folder, sorted by name (suite files included)."""
    return sorted(Path(directory).glob("*" + DATASET_SUFFIX))


def load_all_datasets(directory: Path = DATASETS_DIR) -> list[CorpusEntry]:
    """Every problem of every dataset file of `directory` (suite files add nothing: they only include)."""
    entries: list[CorpusEntry] = []
    for path in dataset_files(directory):
        parsed = _read(path)
        if not _includes(path, parsed.header):
            entries.extend(load_dataset(path))
    return entries


def dataset_summary(directory: Path = DATASETS_DIR) -> list[DatasetInfo]:
    """One `DatasetInfo` per dataset file (a suite's count is that of the files it includes)."""
    parsed = {path: _read(path) for path in dataset_files(directory)}

    def count(path: Path, seen: tuple[Path, ...] = ()) -> int:
        if path in seen:
            raise DatasetError(f"suite file {path} includes itself")
        header = parsed[path].header if path in parsed else _read(path).header
        included = _includes(path, header)
        if not included:
            return len(parsed[path].entries) if path in parsed else len(_read(path).entries)
        return sum(count(p, seen + (path,)) for p in included)

    return [DatasetInfo(path, count(path), file.header.get("collection") or file.header.get("suite", path.stem),
                        file.header.get("license", ""), bool(_includes(path, file.header)))
            for path, file in parsed.items()]


# ---- selection ---------------------------------------------------------------------------------

FILTER_KEYS = ("collection", "id", "tag", "split", "kind", "symmetry", "vars", "degree")


@dataclass(frozen=True)
class Filter:
    """`key=v1,v2`: an entry passes when its `key` matches ANY of the values (ids and collections as
    shell-style globs such as `id=lips*`); several filters must ALL pass."""

    key: str
    values: tuple[str, ...]

    def matches(self, entry: CorpusEntry) -> bool:
        if self.key == "collection":
            return any(fnmatch.fnmatchcase(entry.collection, v) for v in self.values)
        if self.key == "id":
            return any(fnmatch.fnmatchcase(entry.id, v) for v in self.values)
        if self.key == "split":
            return entry.split in self.values
        if self.key == "tag":
            return bool(entry.tags.labels() & set(self.values))
        if self.key == "kind":
            return entry.tags.kind in self.values
        if self.key == "symmetry":
            return entry.tags.symmetry in self.values
        if self.key == "vars":
            return str(entry.tags.variables) in self.values
        return str(entry.tags.degree) in self.values  # degree


def parse_filter(text: str) -> Filter:
    """`key=value[,value...]` with key one of FILTER_KEYS; raises DatasetError otherwise."""
    key, separator, values = text.partition("=")
    key = key.strip()
    parts = tuple(v.strip() for v in values.split(",") if v.strip())
    if not separator or key not in FILTER_KEYS or not parts:
        raise DatasetError(f"bad filter {text!r}: write KEY=VALUE[,VALUE...] with KEY one of {', '.join(FILTER_KEYS)}"
                           " (e.g. collection=lips_chenneq, tag=polynomial, id=minif2f/*)")
    return Filter(key, parts)


def select(entries: list[CorpusEntry], filters: list[Filter]) -> list[CorpusEntry]:
    """The entries that pass every filter, in their order."""
    return [e for e in entries if all(f.matches(e) for f in filters)]


def sample(entries: list[CorpusEntry], count: int) -> list[CorpusEntry]:
    """A deterministic sample of `count` entries: those with the smallest sha256 of their id, kept in
    their original order (the same ids for the same input, whatever the order of the files)."""
    if count < 0:
        raise DatasetError("the sample size must be nonnegative")
    chosen = set(sorted((hashlib.sha256(e.id.encode()).hexdigest(), e.id) for e in entries)[:count])
    ids = {entry_id for _, entry_id in chosen}
    return [e for e in entries if e.id in ids]
