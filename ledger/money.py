"""Money: Decimal pounds in code, integer pence at the edges, never float.

``allocate`` and ``allocate_capped`` split whole pence so the parts sum
exactly (SPEC section 4). They work on integers and exact ``Fraction`` shares,
because Decimal division rounds at 28 digits and breaks the tie rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from numbers import Rational

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")

Weight = Decimal | int | Fraction


class AllocationError(ValueError):
    """Weights that cannot carry a non-zero total (all zero, or negative)."""


def _exact(x: object, what: str = "amount") -> Fraction:
    """An exact rational from Decimal, int, Fraction or str; float refused."""
    if isinstance(x, bool):
        raise TypeError(f"{what} must be a number, not a boolean")
    if isinstance(x, float):
        raise TypeError(f"{what} is a float; money is never a float (use Decimal or a string)")
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"{what} is not finite: {x}")
        return Fraction(x)
    if isinstance(x, (int, Fraction, Rational)):
        return Fraction(x)
    if isinstance(x, str):
        return Fraction(Decimal(x))
    raise TypeError(f"{what} must be Decimal, int, Fraction or str, not {type(x).__name__}")


def D(x: object) -> Decimal:
    """A Decimal from Decimal, int or str (exact); float is refused."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("a boolean is not money")
    if isinstance(x, float):
        raise TypeError("money is never a float (use Decimal or a string)")
    if isinstance(x, (int, str)):
        return Decimal(x)
    if isinstance(x, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            return Decimal(x.numerator) / Decimal(x.denominator)
    raise TypeError(f"cannot make money from {type(x).__name__}")


def _round_half_up_pence(f: Fraction) -> int:
    """Whole pence nearest to ``f`` pounds, halves away from zero."""
    pence = f * 100
    sign = -1 if pence < 0 else 1
    whole, rest = divmod(abs(pence.numerator), pence.denominator)
    if 2 * rest >= pence.denominator:
        whole += 1
    return sign * whole


def round_pence(x: Weight | str) -> Decimal:
    """Round half up (away from zero) to the penny."""
    return from_pence(_round_half_up_pence(_exact(x)))


def to_pence(amount: Decimal | int | str) -> int:
    """Integer pence of an amount that is a whole number of pence."""
    f = _exact(amount) * 100
    if f.denominator != 1:
        raise ValueError(f"{amount} is not a whole number of pence")
    return int(f)


def from_pence(pence: int) -> Decimal:
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"pence must be an int, not {type(pence).__name__}")
    return (Decimal(pence) / 100).quantize(PENNY)


def _integer_weights(weights: Sequence[Weight]) -> list[int]:
    fr = [_exact(w, "weight") for w in weights]
    if any(w < 0 for w in fr):
        raise AllocationError("weights must not be negative")
    scale = math.lcm(*(w.denominator for w in fr)) if fr else 1
    return [int(w * scale) for w in fr]


def _allocate_pence(total: int, weights: list[int]) -> list[int]:
    """Split non-negative ``total`` pence by integer weights, largest remainders."""
    wsum = sum(weights)
    if total == 0:
        return [0] * len(weights)
    if wsum == 0:
        raise AllocationError("every weight is zero, so a non-zero amount cannot be split")
    parts: list[int] = []
    rems: list[int] = []
    for w in weights:
        q, r = divmod(total * w, wsum)
        parts.append(q)
        rems.append(r)
    left = total - sum(parts)
    # largest remainder first; ties to the part listed first
    order = sorted(range(len(weights)), key=lambda i: (-rems[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def allocate(total: Decimal | int | str, weights: Sequence[Weight]) -> tuple[Decimal, ...]:
    """Split ``total`` (whole pence) in proportion to ``weights``, summing exactly.

    Each part is its exact share truncated toward zero; the pennies left go
    one each to the largest remainders, ties to the part listed first. A
    negative total is split as its absolute value and negated.
    """
    pence = to_pence(total)
    ints = _integer_weights(weights)
    parts = _allocate_pence(abs(pence), ints)
    sign = -1 if pence < 0 else 1
    return tuple(from_pence(sign * p) for p in parts)


def _fix_caps(
    total: Fraction, weights: Sequence[Fraction], caps: Sequence[Fraction | None]
) -> tuple[dict[int, Fraction], list[int], Fraction]:
    """The capping rounds of SPEC section 4, on exact figures.

    Returns the parts fixed at their caps, the parts still free to share the
    rest by weight, and the rest itself.
    """
    fixed: dict[int, Fraction] = {}
    free = [i for i, w in enumerate(weights) if w > 0]
    remaining = total
    while free and remaining > 0:
        wsum = sum(weights[i] for i in free)
        over = [
            i for i in free if caps[i] is not None and remaining * weights[i] / wsum > caps[i]
        ]
        if not over:
            break
        for i in over:
            fixed[i] = caps[i]  # type: ignore[assignment]
            remaining -= caps[i]  # type: ignore[operator]
        free = [i for i in free if i not in over]
    return fixed, free, remaining


def _capped_inputs(
    total: Decimal | int | str,
    weights: Sequence[Weight],
    caps: Sequence[Decimal | int | str | None],
) -> tuple[Fraction, list[Fraction], list[Fraction | None]]:
    if len(caps) != len(weights):
        raise ValueError("one cap per weight")
    t = _exact(total)
    if t < 0:
        raise ValueError("a capped total is never negative")
    ws = [_exact(w, "weight") for w in weights]
    if any(w < 0 for w in ws):
        raise AllocationError("weights must not be negative")
    cs = [None if c is None else _exact(c, "cap") for c in caps]
    if any(c is not None and c < 0 for c in cs):
        raise ValueError("a cap is never negative")
    return t, ws, cs


def allocate_capped(
    total: Decimal | int | str,
    weights: Sequence[Weight],
    caps: Sequence[Decimal | int | str | None],
) -> tuple[tuple[Decimal, ...], Decimal]:
    """As ``allocate`` but no part exceeds its cap (None: no cap).

    Parts whose exact share exceeds their cap are fixed at the cap and the
    rest is re-split over the others by weight, until nothing exceeds a cap.
    Returns ``(parts, residual)``: the residual is what could not be placed
    because every part is at its cap or has zero weight. Caps are whole
    pence, so the rounded split of the rest never pushes a part over its cap.
    """
    t, ws, cs = _capped_inputs(total, weights, caps)
    to_pence(total)
    for c in cs:
        if c is not None and (c * 100).denominator != 1:
            raise ValueError(f"cap {c} is not a whole number of pence")
    fixed, free, remaining = _fix_caps(t, ws, cs)
    parts = [ZERO] * len(ws)
    for i, c in fixed.items():
        parts[i] = from_pence(int(c * 100))
    residual = from_pence(int(remaining * 100))
    if free and remaining > 0:
        for i, p in zip(free, allocate(residual, [ws[i] for i in free])):
            parts[i] = p
        residual = ZERO
    return tuple(parts), residual


def exact_capped_shares(
    total: Decimal | int | str,
    weights: Sequence[Weight],
    caps: Sequence[Decimal | int | str | None],
) -> tuple[tuple[Fraction, ...], Fraction]:
    """The exact (unrounded) shares in pounds that ``allocate_capped`` rounds."""
    t, ws, cs = _capped_inputs(total, weights, caps)
    fixed, free, remaining = _fix_caps(t, ws, cs)
    shares = [fixed.get(i, Fraction(0)) for i in range(len(ws))]
    if free and remaining > 0:
        wsum = sum(ws[i] for i in free)
        for i in free:
            shares[i] = remaining * ws[i] / wsum
        remaining = Fraction(0)
    return tuple(shares), remaining


def money_str(x: Decimal) -> str:
    """Two decimals, no grouping, never ``-0.00`` (the JSON form)."""
    q = round_pence(x)
    if q == 0:
        q = ZERO
    return f"{q:.2f}"


def ratio_str(x: Decimal | Fraction) -> str:
    """Four decimals, half up (the JSON form of a ratio)."""
    f = _exact(x)
    scaled = f * 10000
    sign = -1 if scaled < 0 else 1
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    v = Decimal(sign * whole).scaleb(-4)
    if v == 0:
        v = Decimal("0.0000")
    return f"{v:.4f}"


def fmt_money(x: Decimal) -> str:
    """For people: ``1,234.56`` and ``-1,234.56``."""
    q = round_pence(x)
    if q == 0:
        q = ZERO
    return f"{q:,.2f}"
