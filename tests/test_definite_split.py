"""The definite_split tactic: a form that is not a sum of squares, proved times x^2 + y^2 + z^2."""

from __future__ import annotations

from ineq.kernel import check
from ineq.parse import parse_problem
from ineq.search import search
from ineq.tactics.base import Deadline
from ineq.tactics.definite_split import definite_split

# Vasile Cirtoaje (Triples benchmark vasile_p12030): not a sum of squares itself.
FORM = "9*(a-b)^2*(b-c)^2*(c-a)^2 + 32*(a^2+b*c)*(a*b+c^2)*(a*c+b^2) >= 0"


def test_the_split_is_strict_on_the_sum_of_squares():
    goal = parse_problem(FORM)
    attempt = next(definite_split(goal, Deadline.after(5)))
    first, second = attempt.subgoals
    assert first.assumptions[-1].op == ">" and second.assumptions[-1].op == "<="


def test_a_form_that_needs_the_multiplier_is_proved_and_checked():
    goal = parse_problem(FORM)
    proof = search(goal, Deadline.after(60))
    assert proof is not None and "definite_split" in proof.tactics
    assert check(goal, proof.certificate).ok


def test_only_even_forms_of_degree_at_least_four():
    for statement in ("a^2+b^2>=2*a*b", "a^3+b^3>=a^2*b+a*b^2", "a^4+b^4+1>=a^2*b^2", "x^4+y^4>x^3*y"):
        assert list(definite_split(parse_problem(statement), Deadline.after(5))) == []


def test_a_rational_goal_qualifies_by_its_numerator():
    # Robinson's form (not a sum of squares) over a positive definite denominator.
    robinson = ("x^6+y^6+z^6 - (x^4*y^2+x^2*y^4+x^4*z^2+x^2*z^4+y^4*z^2+y^2*z^4) + 3*x^2*y^2*z^2")
    goal = parse_problem(f"({robinson})/(x^2+y^2+2*z^2) >= 0")
    assert len(list(definite_split(goal, Deadline.after(5)))) == 1
    proof = search(goal, Deadline.after(60))
    assert proof is not None and proof.tactics[0] == "definite_split"
    assert check(goal, proof.certificate).ok
    assert list(definite_split(parse_problem("(a^3+b^3)/(a^2+b^2) >= 0"), Deadline.after(5))) == []


def test_over_nonnegative_variables_the_split_is_on_their_sum():
    # Vasile p32029: proved with a, b, c > 0 times a + b + c, but a, b, c are only >= 0.
    goal = parse_problem("a, b, c >= 0 => a^3 + b^3 + c^3 >= a^2 b + b^2 c + c^2 a + (b - c)^2 (8a/9 - 8b/9)")
    attempt = next(definite_split(goal, Deadline.after(5)))
    assert str(attempt.subgoals[0].assumptions[-1]) == "a + b + c > 0"
    proof = search(goal, Deadline.after(60))
    assert proof is not None and "definite_split" in proof.tactics
    assert check(goal, proof.certificate).ok
