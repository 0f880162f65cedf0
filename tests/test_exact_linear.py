"""Exact Gauss-Jordan used by the LP-based tactics (amgm, schur) to make float solutions exact."""

from fractions import Fraction as F

from ineq.tactics.exact_linear import solve_exactly


def test_unique_solution_is_exact():
    # x + y = 1, x - y = 1/3  ->  x = 2/3, y = 1/3
    table = [[F(1), F(1), F(1)], [F(1), F(-1), F(1, 3)]]
    assert solve_exactly(table, 2, lambda col: F(99)) == [F(2, 3), F(1, 3)]


def test_free_unknowns_take_the_given_values_and_pivots_follow():
    # x + y + z = 1 with y and z free (set to 1/4 and 1/8): x = 5/8
    table = [[F(1), F(1), F(1), F(1)]]
    assert solve_exactly(table, 3, lambda col: {1: F(1, 4), 2: F(1, 8)}[col]) == [F(5, 8), F(1, 4), F(1, 8)]


def test_inconsistent_system_gives_none():
    table = [[F(1), F(1), F(1)], [F(2), F(2), F(3)]]
    assert solve_exactly(table, 2, lambda col: F(0)) is None


def test_no_equations_leaves_every_unknown_free():
    assert solve_exactly([], 2, lambda col: F(col + 1)) == [F(1), F(2)]
