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

from ._codes import NEGBIN, NORMAL, NORMAL_MEANVAR, POISSON

__all__ = [
    "NEGBIN",
    "NORMAL",
    "NORMAL_MEANVAR",
    "POISSON",
    "cpop",
    "fpop",
    "fpop_normal1",
    "pelt",
    "pelt_joint",
    "seg_cost",
    "seg_cost_joint",
    "seg_costs",
    "seg_costs_joint",
]

_NEG_INF = -np.inf


@njit(cache=True)
def seg_cost(model, a, b, N, S, Q, W, k, inv_s2, var_floor):
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
    # NORMAL_MEANVAR
    v = q / n - (s / n) * (s / n)
    if v < var_floor:
        v = var_floor
    return n * (np.log(v) + 1.0)


@njit(cache=True)
def seg_costs(model, a, b, N, S, Q, W, k, inv_s2, var_floor):
    """:func:`seg_cost` of the segments ``[a[i], b[i])``."""
    out = np.empty(len(a))
    for i in range(len(a)):
        out[i] = seg_cost(model, a[i], b[i], N, S, Q, W, k, inv_s2, var_floor)
    return out


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
def _push_newcomer(lo, hi, own, k, a, b, owner):
    """Give the parameter interval ``[a, b)`` to the newcomer *owner* in the piece list
    being built (``k`` pieces so far): it extends the last piece when that is already the
    newcomer's, else it is appended. Returns the new number of pieces."""
    if k > 0 and own[k - 1] == owner:
        hi[k - 1] = b
        return k
    lo[k] = a
    hi[k] = b
    own[k] = owner
    return k + 1


@njit(cache=True)
def fpop(model, n_pos, min_size, pen, N, S, Q, W, k, inv_s2, var_floor):
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
    mark = np.full(n_pos + 1, -1, dtype=np.int64)
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
                m = _fpop_admit(
                    model, newc, n_p, p_lo, p_hi, p_own, q_lo, q_hi, q_own,
                    stamp, c_lo, c_hi, F, N, S, Q, W, k, inv_s2, var_floor,
                )  # fmt: skip
                p_lo[:m] = q_lo[:m]
                p_hi[:m] = q_hi[:m]
                p_own[:m] = q_own[:m]
                n_p = m
            n_alive = _fpop_alive(p_own, n_p, newc, tt_, mark, alive)
            if n_alive > max_alive:
                max_alive = n_alive
        F[tt_], last[tt_] = _best_last(
            model, tt_, alive, n_alive, F, pen, N, S, Q, W, k, inv_s2, var_floor
        )
    return F, last, max_alive


@njit(cache=True)
def _fpop_admit(
    model, newc, n_p, p_lo, p_hi, p_own, q_lo, q_hi, q_own,
    stamp, c_lo, c_hi, F, N, S, Q, W, k, inv_s2, var_floor,
):  # fmt: skip
    """Admit the candidate *newc*: each piece of the envelope (p_*) shrinks to where its
    owner still beats the newcomer, the newcomer takes the rest; the new pieces go to
    q_*. Returns their number."""
    m = 0
    for j in range(n_p):
        sc = p_own[j]
        if stamp[sc] != newc:
            c = F[newc] - F[sc] - seg_cost(model, sc, newc, N, S, Q, W, k, inv_s2, var_floor)
            a_, b_ = _interval(model, sc, newc, c, N, S, W, k, inv_s2)
            stamp[sc] = newc
            c_lo[sc] = a_
            c_hi[sc] = b_
        kl = max(p_lo[j], c_lo[sc])
        kh = min(p_hi[j], c_hi[sc])
        if kl > kh:
            # the whole piece goes to the newcomer
            m = _push_newcomer(q_lo, q_hi, q_own, m, p_lo[j], p_hi[j], newc)
            continue
        if kl > p_lo[j]:
            m = _push_newcomer(q_lo, q_hi, q_own, m, p_lo[j], kl, newc)
        q_lo[m] = kl
        q_hi[m] = kh
        q_own[m] = sc
        m += 1
        if kh < p_hi[j]:
            m = _push_newcomer(q_lo, q_hi, q_own, m, kh, p_hi[j], newc)
    return m


@njit(cache=True)
def _fpop_alive(p_own, n_p, newc, tt_, mark, alive):
    """The alive candidates (owners of pieces, plus the newcomer), each once, into
    *alive*: a mark per candidate keeps this linear in the number of pieces. Returns
    their number."""
    n_alive = 0
    for j in range(n_p):
        o = p_own[j]
        if mark[o] != tt_:
            mark[o] = tt_
            alive[n_alive] = o
            n_alive += 1
    if mark[newc] != tt_:
        mark[newc] = tt_
        alive[n_alive] = newc
        n_alive += 1
    return n_alive


@njit(cache=True)
def _best_last(model, tt_, cands, n, F, pen, N, S, Q, W, k, inv_s2, var_floor):
    """min over the candidate last changes s of F[s] + pen + cost(s, tt_), and its argmin."""
    best = np.inf
    arg = 0
    for i in range(n):
        sc = cands[i]
        v = F[sc] + pen + seg_cost(model, sc, tt_, N, S, Q, W, k, inv_s2, var_floor)
        if v < best:
            best = v
            arg = sc
    return best, arg


@njit(cache=True)
def pelt(model, n_pos, min_size, pen, N, S, Q, W, k, inv_s2, var_floor):
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
                c = F[newc] - F[sc] - seg_cost(model, sc, newc, N, S, Q, W, k, inv_s2, var_floor)
                if c >= 0.0:
                    cand[keep] = sc
                    keep += 1
            n_alive = keep
            cand[n_alive] = newc
            n_alive += 1
        if n_alive > max_alive:
            max_alive = n_alive
        F[tt_], last[tt_] = _best_last(
            model, tt_, cand, n_alive, F, pen, N, S, Q, W, k, inv_s2, var_floor
        )
    return F, last, max_alive


@njit(cache=True)
def segneigh(model, n, n_breaks, min_size, N, S, Q, W, k, inv_s2, var_floor):
    """Optimal segmentation with exactly ``n_breaks`` breaks (segment neighbourhood,
    Auger & Lawrence 1989): ``F[j, t] = min_s F[j-1, s] + cost(s, t)`` over segments of at
    least ``min_size``; time ``O(n_breaks n²)``, as strucchange's ``breakpoints``. Returns
    the break positions (first index of each new regime) and the total cost, or an empty
    array and inf when no such segmentation fits."""
    F = np.full((n_breaks + 1, n + 1), np.inf)
    arg = np.full((n_breaks + 1, n + 1), -1, dtype=np.int64)
    for t in range(min_size, n + 1):
        F[0, t] = seg_cost(model, 0, t, N, S, Q, W, k, inv_s2, var_floor)
    for j in range(1, n_breaks + 1):
        for t in range((j + 1) * min_size, n + 1):
            best = np.inf
            where = -1
            for s in range(j * min_size, t - min_size + 1):
                f = F[j - 1, s]
                if f == np.inf:
                    continue
                c = f + seg_cost(model, s, t, N, S, Q, W, k, inv_s2, var_floor)
                if c < best:
                    best = c
                    where = s
            F[j, t] = best
            arg[j, t] = where
    if F[n_breaks, n] == np.inf:
        return np.empty(0, dtype=np.int64), np.inf
    cps = np.empty(n_breaks, dtype=np.int64)
    t = n
    for j in range(n_breaks, 0, -1):
        t = arg[j, t]
        cps[j - 1] = t
    return cps, F[n_breaks, n]


# --------------------------------------------------------------------------- joint
@njit(cache=True)
def seg_cost_joint(codes, a, b, N, S, W, k, logk, scale):
    """The cost of segment ``[a, b)`` common to several count series: the sum over the
    series (rows of the 2-D prefix sums; ``codes`` POISSON or NEGBIN) of their own cost
    times ``scale`` (one over each series' long-run variance factor, the
    quasi-likelihood weighting). ``logk`` is ``log(k)``, computed once."""
    total = 0.0
    for j in range(len(codes)):
        n = N[j, b] - N[j, a]
        s = S[j, b] - S[j, a]
        if n <= 0.0 or s <= 0.0:
            continue
        if codes[j] == POISSON:
            w = W[j, b] - W[j, a]
            total += scale[j] * (-2.0 * (s * np.log(s / w) - s))
        else:
            kk = k[j]
            kn = kk * n
            mu = s / n
            total += scale[j] * (
                -2.0 * (s * np.log(mu) - (s + kn) * np.log(kk + mu) + kn * logk[j])
            )
    return total


@njit(cache=True)
def seg_costs_joint(codes, a, b, N, S, W, k, logk, scale):
    """:func:`seg_cost_joint` of the segments ``[a[i], b[i])``."""
    out = np.empty(len(a))
    for i in range(len(a)):
        out[i] = seg_cost_joint(codes, a[i], b[i], N, S, W, k, logk, scale)
    return out


@njit(cache=True)
def pelt_joint(codes, n_pos, min_size, pen, N, S, W, k, logk, scale):
    """Optimal segmentation with breaks common to several count series (PELT; the summed
    cost is a valid segment cost, so the inequality pruning stays exact). Arguments as
    :func:`pelt`, with one row of prefix sums and one entry of ``k``, ``logk`` and
    ``scale`` per series. Returns (F, last, max_alive).

    Functional pruning, which keeps the one-series search near-linear, has no exact and
    cheap form for several parameters: a box version of it (each candidate keeps, per
    series, the interval where it could still win with the other series at their
    optimum) kept 500 of 650 candidates on four simulated series and ran twice as slowly
    as this, so the search is quadratic between breaks."""
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
                c = F[newc] - F[sc] - seg_cost_joint(codes, sc, newc, N, S, W, k, logk, scale)
                if c >= 0.0:
                    cand[keep] = sc
                    keep += 1
            n_alive = keep
            cand[n_alive] = newc
            n_alive += 1
        if n_alive > max_alive:
            max_alive = n_alive
        best = np.inf
        arg = 0
        for i in range(n_alive):
            sc = cand[i]
            v = F[sc] + pen + seg_cost_joint(codes, sc, tt_, N, S, W, k, logk, scale)
            if v < best:
                best = v
                arg = sc
        F[tt_] = best
        last[tt_] = arg
    return F, last, max_alive


# --------------------------------------------------------------------------- continuous
@njit(cache=True)
def _cpop_sums(s, t, W0, W1, W2, Z0, Z1, ZZ):
    """Sums of the line-through-two-knots cost on (s, t]: A, B, C, D, E, G (see cpop)."""
    w0 = W0[t] - W0[s]
    w1 = W1[t] - W1[s]
    w2 = W2[t] - W2[s]
    z0 = Z0[t] - Z0[s]
    z1 = Z1[t] - Z1[s]
    zz = ZZ[t] - ZZ[s]
    L = float(t - s)
    A = (t * t * w0 - 2.0 * t * w1 + w2) / (L * L)
    B = (-w2 + (s + t) * w1 - s * t * w0) / (L * L)
    C = (w2 - 2.0 * s * w1 + s * s * w0) / (L * L)
    D = (t * z0 - z1) / L
    E = (z1 - s * z0) / L
    return A, B, C, D, E, zz


@njit(cache=True)
def _qmin(a, b, c):
    if a > 1e-300:
        return c - b * b / (4.0 * a), -b / (2.0 * a)
    return c, 0.0


@njit(cache=True)
def _next_crossing(qa, qb, qc, m, cur, x, direction):
    """The nearest φ beyond x (in direction) where another quadratic drops below q_cur."""
    nxt = -1
    rbest = np.inf
    for j in range(m):
        if j == cur:
            continue
        da = qa[j] - qa[cur]
        db = qb[j] - qb[cur]
        dc = qc[j] - qc[cur]
        if abs(da) < 1e-12 * (abs(qa[j]) + abs(qa[cur]) + 1e-300):
            if abs(db) < 1e-300:
                continue
            r = -dc / db
            if (r - x) * direction > 1e-12 * (1.0 + abs(x)) and db * direction < 0.0:
                dist = (r - x) * direction
                if dist < rbest:
                    rbest, nxt = dist, j
            continue
        disc = db * db - 4.0 * da * dc
        if disc <= 0.0:
            continue
        sq = np.sqrt(disc)
        for r in ((-db - sq) / (2.0 * da), (-db + sq) / (2.0 * da)):
            slope = 2.0 * da * r + db
            if (r - x) * direction > 1e-12 * (1.0 + abs(x)) and slope * direction < 0.0:
                dist = (r - x) * direction
                if dist < rbest:
                    rbest, nxt = dist, j
    return nxt, rbest


@njit(cache=True)
def _envelope(qa, qb, qc, m, own, lo, hi):
    """Lower envelope of m convex quadratics as pieces (own[p] on [lo[p], hi[p]]), ordered
    by φ: a sweep from the global minimum to the right and to the left, switching at each
    first crossing. Returns the number of pieces."""
    best = np.inf
    j0 = -1
    x0 = 0.0
    for j in range(m):
        v, x = _qmin(qa[j], qb[j], qc[j])
        if v < best:
            best, j0, x0 = v, j, x
    # left part, collected right-to-left, then reversed
    n_left = 0
    cur = j0
    x = x0
    tmp_own = np.empty(m + 1, dtype=np.int64)
    tmp_lo = np.empty(m + 1)
    for _ in range(m):
        nxt, dist = _next_crossing(qa, qb, qc, m, cur, x, -1.0)
        if nxt < 0:
            break
        x = x - dist
        tmp_own[n_left] = cur
        tmp_lo[n_left] = x
        n_left += 1
        cur = nxt
    n = 0
    own[n] = cur
    lo[n] = -np.inf
    for i in range(n_left - 1, -1, -1):
        hi[n] = tmp_lo[i]
        n += 1
        own[n] = tmp_own[i]
        lo[n] = tmp_lo[i]
    cur = j0
    x = x0
    for _ in range(m):
        nxt, dist = _next_crossing(qa, qb, qc, m, cur, x, 1.0)
        if nxt < 0:
            break
        x = x + dist
        hi[n] = x
        n += 1
        own[n] = nxt
        lo[n] = x
        cur = nxt
    hi[n] = np.inf
    return n + 1


@njit(cache=True)
def _above_on(a, b, c, lo_, hi_):
    """Whether a φ² + b φ + c > 0 on the whole interval [lo_, hi_] (ends may be infinite)."""
    if a > 0.0:
        v = -b / (2.0 * a)
        if lo_ <= v <= hi_:
            return c - b * b / (4.0 * a) > 0.0
    elif a == 0.0:
        if b > 0.0 and lo_ == -np.inf:
            return False
        if b < 0.0 and hi_ == np.inf:
            return False
    else:
        if lo_ == -np.inf or hi_ == np.inf:
            return False
    for x in (lo_, hi_):
        if np.isfinite(x) and a * x * x + b * x + c <= 0.0:
            return False
    return True


@njit(cache=True)
def cpop(n_pos, min_size, pen, W0, W1, W2, Z0, Z1, ZZ):
    """Exact optimal continuous piecewise-linear fit with a penalty per knot (the problem of
    CPOP, Fearnhead, Maidstone & Letchford 2019), by dynamic programming over the knot
    positions with the cost-to-date as a function of the value at the last knot.

    F_t(φ) = min over earlier knots s and over the quadratics of F_s of
    min_φ' [q(φ') + cost of the line from (s, φ') to (t, φ)] + pen; each F_t is kept as the
    lower envelope of its quadratics (a quadratic that is nowhere minimal can never be
    needed). A candidate (earlier knot, quadratic) is dropped for good, ``min_size`` days
    later, once its function exceeds pen + one quadratic of the current envelope everywhere:
    adding a knot now would then always do better (an inequality pruning in the spirit of
    PELT). Positions are 0..n_pos-1; the first and last are knots. Prefix sums are over
    u <= k of w, w·u, w·u², w·z, w·z·u, w·z² (already divided by the noise variance).
    Returns the knot positions (ends included), their values and the cost without
    penalties, and the largest number of candidates kept."""
    cap = 64
    qa = np.empty((n_pos, cap))
    qb = np.empty((n_pos, cap))
    qc = np.empty((n_pos, cap))
    ps = np.full((n_pos, cap), -1, dtype=np.int64)
    pj = np.full((n_pos, cap), -1, dtype=np.int64)
    cnt = np.zeros(n_pos, dtype=np.int64)
    qa[0, 0] = W0[0]
    qb[0, 0] = -2.0 * Z0[0]
    qc[0, 0] = ZZ[0]
    cnt[0] = 1
    maxp = cap * n_pos + 1
    act_s = np.empty(maxp, dtype=np.int64)
    act_j = np.empty(maxp, dtype=np.int64)
    act_kill = np.empty(maxp, dtype=np.int64)
    n_act = 0
    ta = np.empty(maxp)
    tb = np.empty(maxp)
    tc = np.empty(maxp)
    own = np.empty(maxp + 1, dtype=np.int64)
    plo = np.empty(maxp + 1)
    phi_ = np.empty(maxp + 1)
    max_act = 0
    for t in range(min_size, n_pos):
        newc = t - min_size
        if newc == 0 or newc >= min_size:
            for j in range(cnt[newc]):
                act_s[n_act] = newc
                act_j[n_act] = j
                act_kill[n_act] = n_pos + 1
                n_act += 1
        n_act = _cpop_compact(act_s, act_j, act_kill, n_act, t)
        if n_act > max_act:
            max_act = n_act
        if n_act == 0:
            continue
        _cpop_candidates(
            t, pen, n_act, act_s, act_j, qa, qb, qc, ta, tb, tc, W0, W1, W2, Z0, Z1, ZZ
        )
        n_p = _envelope(ta, tb, tc, n_act, own, plo, phi_)
        cnt[t] = _cpop_keep(t, n_p, own, act_s, act_j, ta, tb, tc, qa, qb, qc, ps, pj, cap)
        _cpop_prune(t, pen, min_size, n_pos, n_act, n_p, act_kill, own, ta, tb, tc, plo, phi_)
    knots, values, nk, best = _cpop_backtrack(
        n_pos, cnt, qa, qb, qc, ps, pj, W0, W1, W2, Z0, Z1, ZZ
    )
    return knots, values, best - pen * (nk - 1), max_act


@njit(cache=True)
def _cpop_compact(act_s, act_j, act_kill, n_act, t):
    """Drop the candidates whose pruning took effect by *t*; the number left."""
    w = 0
    for i in range(n_act):
        if act_kill[i] > t:
            act_s[w] = act_s[i]
            act_j[w] = act_j[i]
            act_kill[w] = act_kill[i]
            w += 1
    return w


@njit(cache=True)
def _cpop_candidates(t, pen, n_act, act_s, act_j, qa, qb, qc, ta, tb, tc, W0, W1, W2, Z0, Z1, ZZ):
    """The quadratic in the value at *t* of each active candidate (earlier knot, one of
    its quadratics) plus the line to *t* and the penalty, into ta, tb, tc."""
    for i in range(n_act):
        s = act_s[i]
        j = act_j[i]
        A, B, C, D, E, G = _cpop_sums(s, t, W0, W1, W2, Z0, Z1, ZZ)
        a = qa[s, j]
        b = qb[s, j]
        c = qc[s, j]
        k = a + A
        u0 = b - 2.0 * D
        u1 = 2.0 * B
        if k > 1e-12:
            na = C - u1 * u1 / (4.0 * k)
            nb = -2.0 * E - u0 * u1 / (2.0 * k)
            nc = c + G - u0 * u0 / (4.0 * k) + pen
        else:
            na = C
            nb = -2.0 * E
            nc = c + G + pen
        if na < 0.0:
            na = 0.0
        ta[i] = na
        tb[i] = nb
        tc[i] = nc


@njit(cache=True)
def _cpop_keep(t, n_p, own, act_s, act_j, ta, tb, tc, qa, qb, qc, ps, pj, cap):
    """The distinct quadratics of the envelope become F_t (at most *cap*); their number."""
    n_keep = 0
    for p in range(n_p):
        jj = own[p]
        dup = False
        for i in range(n_keep):
            if ps[t, i] == act_s[jj] and pj[t, i] == act_j[jj]:
                dup = True
        if dup or n_keep >= cap:
            continue
        qa[t, n_keep] = ta[jj]
        qb[t, n_keep] = tb[jj]
        qc[t, n_keep] = tc[jj]
        ps[t, n_keep] = act_s[jj]
        pj[t, n_keep] = act_j[jj]
        n_keep += 1
    return n_keep


@njit(cache=True)
def _cpop_prune(t, pen, min_size, n_pos, n_act, n_p, act_kill, own, ta, tb, tc, plo, phi_):
    """Inequality pruning, effective once a knot at *t* is admissible: a candidate whose
    function minus pen lies above the envelope everywhere is dropped at t + min_size."""
    for i in range(n_act):
        if act_kill[i] <= n_pos:
            continue
        above = True
        for p in range(n_p):
            e = own[p]
            if e == i:
                above = False
                break
            if not _above_on(ta[i] - ta[e], tb[i] - tb[e], tc[i] - pen - tc[e], plo[p], phi_[p]):
                above = False
                break
        if above:
            act_kill[i] = t + min_size


@njit(cache=True)
def _cpop_backtrack(n_pos, cnt, qa, qb, qc, ps, pj, W0, W1, W2, Z0, Z1, ZZ):
    """The best final quadratic and the knots back from it: knot positions and values
    (in order), their number and the best total cost (penalties included)."""
    last = n_pos - 1
    best = np.inf
    bj = -1
    phi = 0.0
    for j in range(cnt[last]):
        v, x = _qmin(qa[last, j], qb[last, j], qc[last, j])
        if v < best:
            best, bj, phi = v, j, x
    knots = np.empty(n_pos, dtype=np.int64)
    values = np.empty(n_pos)
    nk = 0
    t = last
    j = bj
    while t >= 0 and j >= 0:
        knots[nk] = t
        values[nk] = phi
        nk += 1
        s = ps[t, j]
        if s < 0:
            break
        pjj = pj[t, j]
        A, B, C, D, E, G = _cpop_sums(s, t, W0, W1, W2, Z0, Z1, ZZ)
        k = qa[s, pjj] + A
        if k > 1e-12:
            phi = -(qb[s, pjj] + 2.0 * B * phi - 2.0 * D) / (2.0 * k)
        t = s
        j = pjj
    return knots[:nk][::-1].copy(), values[:nk][::-1].copy(), nk, best


@njit(cache=True, error_model="numpy")
def fpop_normal1(y, obs, pen, w, cap):
    """Functional pruning for the Gaussian mean cost ``w * (y - theta)**2`` with segments
    of any length (``min_size = 1``), in one pass per time step (Maidstone et al. 2017).

    The optimal cost as a function of the current segment's mean is kept as sorted pieces,
    each a quadratic ``A (theta - m)**2 + c`` (centred form: adding a point updates ``m``
    and ``c`` as a running mean and sum of squares, without the cancellation of expanded
    coefficients) owned by the candidate last change that attains it. At each step every
    piece gains the new point, ``F[t]`` is the envelope's minimum, and the new candidate
    ``t`` (a constant ``F[t] + pen``) takes the parts where the envelope lies above it.
    Missing points (``obs`` false) add nothing. Returns (F, last, max_pieces) as
    :func:`fpop` does, or max_pieces = -1 when a step could need more than *cap* pieces
    (the caller then runs again with ``cap = 0``: buffers of the size that always fits,
    ``2 n + 8``, and no such check; small buffers spare the allocation that is a tenth of
    a call at n = 10,000)."""
    n = len(y)
    check = cap > 0
    if not check:
        cap = 2 * n + 8
    lo = np.empty(cap)
    hi = np.empty(cap)
    A = np.empty(cap)
    M = np.empty(cap)
    C = np.empty(cap)
    own = np.empty(cap, dtype=np.int64)
    lo2 = np.empty(cap)
    hi2 = np.empty(cap)
    A2 = np.empty(cap)
    M2 = np.empty(cap)
    C2 = np.empty(cap)
    own2 = np.empty(cap, dtype=np.int64)
    F = np.empty(n + 1)
    last = np.zeros(n + 1, dtype=np.int64)
    F[0] = -pen
    lo[0] = -np.inf
    hi[0] = np.inf
    A[0] = 0.0
    M[0] = 0.0
    C[0] = 0.0  # F[0] + pen
    own[0] = 0
    n_p = 1
    max_p = 1
    for t in range(1, n + 1):
        # every piece gains the point t - 1; the envelope's minimum is F[t]
        best, arg = _n1_add_point(n_p, A, M, C, own, obs[t - 1], y[t - 1], w)
        F[t] = best  # the pieces carry F[s] + pen, and F[0] = -pen
        last[t] = arg
        if t == n:
            break
        # the new candidate t: constant level F[t] + pen; each piece keeps where it is below
        level = best + pen
        if check and 2 * n_p + 1 > cap:
            return F, last, -1
        k = _n1_admit(n_p, lo, hi, A, M, C, own, lo2, hi2, A2, M2, C2, own2, level, t)
        # the new pieces become the current ones (the buffers swap: nothing is copied)
        lo, lo2 = lo2, lo
        hi, hi2 = hi2, hi
        A, A2 = A2, A
        M, M2 = M2, M
        C, C2 = C2, C
        own, own2 = own2, own
        n_p = k
        if n_p > max_p:
            max_p = n_p
    return F, last, max_p


@njit(cache=True)
def _n1_add_point(n_p, A, M, C, own, seen, yi, w):
    """Every piece of :func:`fpop_normal1` gains the point *yi* (when *seen*); the
    envelope's minimum and the candidate that attains it."""
    best = np.inf
    arg = 0
    for j in range(n_p):
        if seen:
            a = A[j]
            a2 = a + w
            r = w / a2
            d = yi - M[j]
            C[j] += a * r * d * d
            M[j] += r * d
            A[j] = a2
        # a piece's own minimum C[j] (even outside its interval) is the cost of a real
        # segmentation, so it is never below F[t]; and the piece holding the envelope's
        # minimum attains it: the smallest C[j] is F[t] (no clipping)
        if C[j] < best:
            best = C[j]
            arg = own[j]
    return best, arg


@njit(cache=True)
def _n1_below(a, m, c, lo, hi, level):
    """Where the piece ``a (theta - m)**2 + c`` on [lo, hi] lies below *level* (an empty
    interval, lo > hi, when nowhere)."""
    if not c < level:  # (as written, a NaN also gives nothing)
        return 1.0, -1.0
    if a <= 0.0:
        return lo, hi
    half = np.sqrt((level - c) / a)
    return max(lo, m - half), min(hi, m + half)


@njit(cache=True)
def _n1_admit(n_p, lo, hi, A, M, C, own, lo2, hi2, A2, M2, C2, own2, level, t):
    """Admit the candidate *t* (the constant *level*): each piece keeps where it lies
    below the level, the newcomer takes the rest; the new pieces go to the *2 buffers.
    Returns their number."""
    k = 0
    for j in range(n_p):
        a_, b_ = _n1_below(A[j], M[j], C[j], lo[j], hi[j], level)
        # the newcomer's pieces are the constant ``level`` (set again when a piece is
        # extended: the same values)
        if a_ >= b_:  # the newcomer takes the whole piece
            k = _push_newcomer(lo2, hi2, own2, k, lo[j], hi[j], t)
            A2[k - 1], M2[k - 1], C2[k - 1] = 0.0, 0.0, level
            continue
        if a_ > lo[j]:
            k = _push_newcomer(lo2, hi2, own2, k, lo[j], a_, t)
            A2[k - 1], M2[k - 1], C2[k - 1] = 0.0, 0.0, level
        lo2[k] = a_
        hi2[k] = b_
        A2[k] = A[j]
        M2[k] = M[j]
        C2[k] = C[j]
        own2[k] = own[j]
        k += 1
        if b_ < hi[j]:
            k = _push_newcomer(lo2, hi2, own2, k, b_, hi[j], t)
            A2[k - 1], M2[k - 1], C2[k - 1] = 0.0, 0.0, level
    return k
