"""Small statistics for ensembles of runs: Student-t intervals, Welch's test, and the
functional-analysis measures that compare two curves (ERD, EPC, secant cosine).

Pure Python (no SciPy): the regularised incomplete beta function by Lentz's continued fraction
(Numerical Recipes, 3rd ed., 6.4); quantiles agree with SciPy to about 1e-9.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

__all__ = ["t_quantile", "mean_ci", "welch_test", "curve_measures"]


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbeta) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbeta) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (> 0, may be fractional) degrees of freedom."""
    tail = 0.5 * _betainc(0.5 * df, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p for Student's t with ``df`` degrees of freedom (0 < p < 1)."""
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and its two-sided Student-t confidence interval: (mean, low, high), in the values'
    unit. NaN values are ignored; fewer than two values give NaN bounds."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = t_quantile(0.5 + 0.5 * confidence, n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half


def welch_test(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p-value of Welch's t-test that a and b have the same mean (NaN ignored).

    Returns NaN with fewer than two values on either side; with no spread on either side, 0
    when the means differ and 1 when they are equal.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if len(x) < 2 or len(y) < 2:
        return math.nan
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    diff = x.mean() - y.mean()
    if vx + vy == 0.0:
        return 0.0 if diff != 0.0 else 1.0
    t = diff / math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return 2.0 * (1.0 - t_cdf(abs(t), df))


def curve_measures(curve: Sequence[float], reference: Sequence[float]) -> dict[str, float]:
    """Functional-analysis measures of how ``curve`` x differs from ``reference`` y, two curves
    sampled at the same equally spaced times (NIST TN 1822; Ronchi, Reneke & Peacock 2014, after
    Peacock et al. 1999). Each is dimensionless:

    * ``erd``, Euclidean relative difference: ||x - y|| / ||y|| (0 = identical);
    * ``epc``, Euclidean projection coefficient: <x, y> / ||y||², the factor by which y must be
      scaled to best fit x in the least-squares sense (1 = same magnitude);
    * ``sc``, secant cosine: <x', y'> / (||x'|| ||y'||) of the secants x'_k = x_k - x_(k-1)
      (the time step cancels), i.e. the cosine between the two curves' slopes (1 = same shape).
      The secant period is one sample; for a longer period s, sample the curves every s.

    Which curve is the reference in ERD and EPC follows the use in a convergence check (the
    previous mean curve); the formulas are stated here rather than taken on trust from the
    papers, whose exact normalisation was not checked for this release.

    A measure whose denominator is 0 (an all-zero reference, a flat curve) is NaN. Raises
    ValueError when the curves differ in length.
    """
    x = np.asarray(curve, dtype=np.float64)
    y = np.asarray(reference, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"curve_measures needs two 1-D curves of equal length, got {x.shape} and {y.shape}")
    yy = float(y @ y)
    erd = math.sqrt(float((x - y) @ (x - y)) / yy) if yy > 0 else math.nan
    epc = float(x @ y) / yy if yy > 0 else math.nan
    dx, dy = np.diff(x), np.diff(y)
    norms = math.sqrt(float(dx @ dx) * float(dy @ dy))
    sc = float(dx @ dy) / norms if norms > 0 else math.nan
    return {"erd": erd, "epc": epc, "sc": sc}
