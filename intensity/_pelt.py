"""Compiled kernels of the exact optimal segmentation (PELT with functional pruning).

Costs are twice the negative log-likelihood of a segment, up to terms that are the same
for every segmentation, computed in O(1) from prefix sums over the *observed* days (a
missing day adds nothing). Segment ``[a, b)`` uses prefix sums at ``a`` and ``b``.

Pruning: a candidate last change ``s`` is dropped (i) by PELT's inequality
(Killick et al. 2012) and, for the one-parameter models, (ii) functionally: each candidate
keeps the interval of segment parameters for which it still beats every newer candidate
(the difference of two candidates' cost functions does not depend on the current time, so
the interval only shrinks); an empty interval means it can never be optimal again. This is
the "newer candidates" half of FPOP (Maidstone et al. 2017); it is what keeps the search
near-linear when a long series has only a handful of changes. Root finding approaches the
interval ends from outside, so an unfinished root only prunes less: results stay exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._codes import LINEAR, NEGBIN, NORMAL, NORMAL_MEANVAR, POISSON

__all__ = ["LINEAR", "NEGBIN", "NORMAL", "NORMAL_MEANVAR", "POISSON", "fpop", "pelt", "seg_cost"]

_NEG_INF = -np.inf


@njit(cache=True)
def seg_cost(model, a, b, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor):
    n = N[b] - N[a]
    if n <= 0.0:
        return 0.0
    s = S[b] - S[a]
    if model == POISSON:
        w = W[b] - W[a]
        if s <= 0.0:
            return 0.0
        return -2.0 * (s * np.log(s / w) - s)
    if model == NEGBIN:
        if s <= 0.0:
            return 0.0
        mu = s / n
        return -2.0 * (s * np.log(mu) - (s + k * n) * np.log(k + mu) + k * n * np.log(k))
    q = Q[b] - Q[a]
    if model == NORMAL:
        return (q - s * s / n) * inv_s2
    if model == NORMAL_MEANVAR:
        v = q / n - (s / n) * (s / n)
        if v < var_floor:
            v = var_floor
        return n * (np.log(v) + 1.0)
    # LINEAR: least squares line in the segment
    t = T[b] - T[a]
    tt = TT[b] - TT[a]
    ty = TY[b] - TY[a]
    syy = q - s * s / n
    sxx = tt - t * t / n
    rss = syy
    if sxx > 1e-12:
        sxy = ty - t * s / n
        rss = syy - sxy * sxy / sxx
    if rss < 0.0:
        rss = 0.0
    return rss * inv_s2


@njit(cache=True)
def _g(model, theta, s, n, k):
    """Twice the negative log-likelihood of a segment at log-mean theta (count models) and
    its derivative, without the constant; n is the exposure (W for Poisson)."""
    e = np.exp(theta)
    if model == POISSON:
        return 2.0 * (n * e - s * theta), 2.0 * (n * e - s)
    a = s + k * n
    return 2.0 * (a * np.log(k + e) - s * theta), 2.0 * (a * e / (k + e) - s)


@njit(cache=True)
def _root_outside(model, s, n, k, theta_hat, target, direction):
    """theta on the *direction* side of theta_hat with g(theta) ~= target, approached from
    outside (g >= target) so that the returned point never lies inside the true interval."""
    # first guess from the quadratic approximation at the minimum, then widen until outside
    e = np.exp(theta_hat)
    if model == POISSON:
        curv = 2.0 * n * e
    else:
        curv = 2.0 * (s + k * n) * k * e / ((k + e) * (k + e))
    gap = target - _g(model, theta_hat, s, n, k)[0]
    d = np.sqrt(2.0 * gap / curv) * 1.05 if curv > 0.0 and gap > 0.0 else 1.0
    if not d > 0.0:
        d = 1.0
    th = theta_hat + direction * d
    g, _ = _g(model, th, s, n, k)
    it = 0
    while g < target and it < 60:
        d *= 2.0
        th = theta_hat + direction * d
        g, _ = _g(model, th, s, n, k)
        it += 1
    if g < target:
        return theta_hat + direction * 1e300
    for _ in range(30):
        g, dg = _g(model, th, s, n, k)
        diff = g - target
        if diff <= 1e-10 * (1.0 + abs(target)) or dg == 0.0:
            break
        step = diff / dg
        th_new = th - step
        # Newton from outside on a convex function moves towards the root monotonically;
        # guard against rounding pushing it across
        if (th_new - theta_hat) * direction <= 0.0:
            break
        th = th_new
    return th


@njit(cache=True)
def _interval(model, sc, newc, c, N, S, W, k, inv_s2):
    """The parameter set on which candidate sc still beats the newly admitted newc (an
    interval; empty when lo > hi)."""
    if c < 0.0:
        return 1.0, -1.0
    nn = N[newc] - N[sc]
    if nn <= 0.0:
        return _NEG_INF, np.inf
    ss = S[newc] - S[sc]
    if model == NORMAL:
        mu = ss / nn
        half = np.sqrt(c / (nn * inv_s2))
        return mu - half, mu + half
    ex = nn
    if model == POISSON:
        ex = W[newc] - W[sc]
    if ss <= 0.0:
        if c <= 0.0:
            return _NEG_INF, _NEG_INF
        if model == POISSON:
            return _NEG_INF, np.log(c / (2.0 * ex))
        return _NEG_INF, np.log(k * np.expm1(c / (2.0 * k * ex)))
    th = np.log(ss / ex)
    g0, _ = _g(model, th, ss, ex, k)
    target = g0 + c
    return (
        _root_outside(model, ss, ex, k, th, target, -1.0),
        _root_outside(model, ss, ex, k, th, target, 1.0),
    )


@njit(cache=True)
def fpop(model, n_pos, min_size, pen, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor):
    """Optimal segmentation with functional pruning for the one-parameter models.

    Keeps the lower envelope of the candidates' cost functions over the segment parameter
    as sorted pieces (interval, candidate). Between admissions of new candidates every
    candidate's function gains the same data term, so pieces change only when a candidate
    is admitted: each piece shrinks to where its owner still beats the newcomer, and the
    newcomer takes the rest. A candidate that owns no piece can never be optimal again.
    Returns (F, last, max_alive)."""
    F = np.empty(n_pos + 1)
    last = np.zeros(n_pos + 1, dtype=np.int64)
    F[0] = -pen
    cap = 4 * (n_pos + 2)
    p_lo = np.empty(cap)
    p_hi = np.empty(cap)
    p_own = np.empty(cap, dtype=np.int64)
    q_lo = np.empty(cap)
    q_hi = np.empty(cap)
    q_own = np.empty(cap, dtype=np.int64)
    n_p = 0
    alive = np.empty(n_pos + 1, dtype=np.int64)
    n_alive = 0
    # per-candidate cache of its interval against the current newcomer
    stamp = np.full(n_pos + 1, -1, dtype=np.int64)
    c_lo = np.empty(n_pos + 1)
    c_hi = np.empty(n_pos + 1)
    max_alive = 0
    for tt_ in range(1, n_pos + 1):
        if tt_ < min_size:
            F[tt_] = np.inf
            continue
        newc = tt_ - min_size
        if newc == 0 or (newc >= min_size and np.isfinite(F[newc])):
            if n_p == 0:
                p_lo[0] = _NEG_INF
                p_hi[0] = np.inf
                p_own[0] = newc
                n_p = 1
            else:
                m = 0
                for j in range(n_p):
                    sc = p_own[j]
                    if stamp[sc] != newc:
                        c = (
                            F[newc]
                            - F[sc]
                            - seg_cost(model, sc, newc, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor)
                        )
                        a_, b_ = _interval(model, sc, newc, c, N, S, W, k, inv_s2)
                        stamp[sc] = newc
                        c_lo[sc] = a_
                        c_hi[sc] = b_
                    kl = max(p_lo[j], c_lo[sc])
                    kh = min(p_hi[j], c_hi[sc])
                    if kl > kh:
                        # the whole piece goes to the newcomer
                        if m > 0 and q_own[m - 1] == newc:
                            q_hi[m - 1] = p_hi[j]
                        else:
                            q_lo[m] = p_lo[j]
                            q_hi[m] = p_hi[j]
                            q_own[m] = newc
                            m += 1
                        continue
                    if kl > p_lo[j]:
                        if m > 0 and q_own[m - 1] == newc:
                            q_hi[m - 1] = kl
                        else:
                            q_lo[m] = p_lo[j]
                            q_hi[m] = kl
                            q_own[m] = newc
                            m += 1
                    q_lo[m] = kl
                    q_hi[m] = kh
                    q_own[m] = sc
                    m += 1
                    if kh < p_hi[j]:
                        q_lo[m] = kh
                        q_hi[m] = p_hi[j]
                        q_own[m] = newc
                        m += 1
                for j in range(m):
                    p_lo[j] = q_lo[j]
                    p_hi[j] = q_hi[j]
                    p_own[j] = q_own[j]
                n_p = m
            # alive candidates = owners of pieces (plus the newcomer)
            n_alive = 0
            for j in range(n_p):
                o = p_own[j]
                seen = False
                for i in range(n_alive):
                    if alive[i] == o:
                        seen = True
                        break
                if not seen:
                    alive[n_alive] = o
                    n_alive += 1
            found = False
            for i in range(n_alive):
                if alive[i] == newc:
                    found = True
            if not found:
                alive[n_alive] = newc
                n_alive += 1
            if n_alive > max_alive:
                max_alive = n_alive
        F[tt_], last[tt_] = _best_last(
            model, tt_, alive, n_alive, F, pen, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor
        )
    return F, last, max_alive


@njit(cache=True)
def _best_last(model, tt_, cands, n, F, pen, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor):
    """min over the candidate last changes s of F[s] + pen + cost(s, tt_), and its argmin."""
    best = np.inf
    arg = 0
    for i in range(n):
        sc = cands[i]
        v = F[sc] + pen + seg_cost(model, sc, tt_, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor)
        if v < best:
            best = v
            arg = sc
    return best, arg


@njit(cache=True)
def pelt(model, n_pos, min_size, pen, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor):
    """Optimal segmentation with PELT's inequality pruning only (every model; the
    reference the functional pruning of :func:`fpop` is tested against).

    The inequality is applied when a candidate becomes admissible (``min_size`` after it),
    which keeps it exact with a minimum segment length. Returns (F, last, max_alive)."""
    F = np.empty(n_pos + 1)
    last = np.zeros(n_pos + 1, dtype=np.int64)
    F[0] = -pen
    cand = np.empty(n_pos + 1, dtype=np.int64)
    n_alive = 0
    max_alive = 0
    for tt_ in range(1, n_pos + 1):
        if tt_ < min_size:
            F[tt_] = np.inf
            continue
        newc = tt_ - min_size
        if newc == 0 or (newc >= min_size and np.isfinite(F[newc])):
            keep = 0
            for i in range(n_alive):
                sc = cand[i]
                c = (
                    F[newc]
                    - F[sc]
                    - seg_cost(model, sc, newc, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor)
                )
                if c >= 0.0:
                    cand[keep] = sc
                    keep += 1
            n_alive = keep
            cand[n_alive] = newc
            n_alive += 1
        if n_alive > max_alive:
            max_alive = n_alive
        F[tt_], last[tt_] = _best_last(
            model, tt_, cand, n_alive, F, pen, N, S, Q, W, T, TT, TY, k, inv_s2, var_floor
        )
    return F, last, max_alive
