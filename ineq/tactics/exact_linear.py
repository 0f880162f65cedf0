"""Exact linear algebra shared by tactics that turn a floating-point LP solution into exact numbers."""

from __future__ import annotations

from fractions import Fraction
from typing import Callable


def solve_exactly(table: list[list[Fraction]], columns: int,
                  free_value: Callable[[int], Fraction]) -> list[Fraction] | None:
    """Solve the augmented system `table` (each row: `columns` coefficients, then the right-hand side)
    by Gauss-Jordan elimination in Fractions. Unknowns without a pivot are set to `free_value(column)`
    (typically the LP's value, rounded) and the pivot unknowns follow exactly. None if the system is
    inconsistent."""
    table = [list(row) for row in table]
    pivots: list[int] = []
    for col in range(columns):
        rank = len(pivots)
        pivot = next((r for r in range(rank, len(table)) if table[r][col] != 0), None)
        if pivot is None:
            continue
        table[rank], table[pivot] = table[pivot], table[rank]
        lead = table[rank][col]
        table[rank] = [entry / lead for entry in table[rank]]
        for r in range(len(table)):
            if r != rank and table[r][col] != 0:
                factor = table[r][col]
                table[r] = [entry - factor * top for entry, top in zip(table[r], table[rank])]
        pivots.append(col)
    if any(row[-1] != 0 for row in table[len(pivots):]):
        return None  # below the pivots every coefficient is zero, so a nonzero right side is a contradiction
    values = [Fraction(0)] * columns
    free = [col for col in range(columns) if col not in pivots]
    for col in free:
        values[col] = free_value(col)
    for r, col in enumerate(pivots):
        values[col] = table[r][-1] - sum(table[r][f] * values[f] for f in free)
    return values
