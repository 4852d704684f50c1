"""Seasonality: the decomposition (descriptive), the negative-binomial seasonal model with
its tests, the weekday and month profiles."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .base import Fact, MetricContext, Section, method_lines


class SeasonalitySection(Section):
    name = "seasonality"
    page = "seasonality"

    def analyse(self, ctx: MetricContext) -> None:
        from .._validation import PERIODS_PER_YEAR, grid_unit
        from ..seasonal import MONTH_PROFILE_UNITS, decompose, fit_seasonal, seasonal_profile

        s, run, n = ctx.series, ctx.run, len(ctx.series)
        unit = grid_unit(s.index)
        daily = unit == "day"
        # daily: MSTL needs more than two years for the annual cycle; weekly, monthly or
        # quarterly counts: their own cycle (52, 12, 4), where a 7-period cycle was
        # taken for a week of months
        periods = ((7, 365) if n > 730 else (7,)) if daily else None
        run.say(f"[{ctx.metric}] decomposition (periods {periods or 'of the year'})")
        # the decomposition is descriptive (the count model carries the statistics):
        # non-robust STL, 6× faster than robust on 1,600 days with little difference
        # once catch-up days are missing rather than spikes
        ctx.results["decomposition"] = run(
            "decomposition", decompose, s, periods=periods, robust=False
        )
        run.say(f"[{ctx.metric}] seasonal count model")
        fit = ctx.results["seasonal_fit"] = run("seasonal model", fit_seasonal, s)
        # the weekday profile is the seasonal model's weekday table (one number for the
        # text and the figure)
        # weekly, monthly or quarterly counts have no weekdays: no profile, not a failure
        ctx.results["weekday_profile"] = (
            run("weekday profile", seasonal_profile, s, "weekday", fit=fit) if daily else None
        )
        # a year of days, weeks or months (monthly counts: the profile the model's
        # season is read from); quarters hold three months each, so no month profile
        ctx.results["month_profile"] = (
            run("month profile", seasonal_profile, s, "month")
            if unit in MONTH_PROFILE_UNITS and n >= int(PERIODS_PER_YEAR[unit])
            else None
        )

    def figures(self, ctx: MetricContext) -> list[tuple[str, Any]]:
        return ctx.plots("decomposition", "seasonal_fit", "weekday_profile", "month_profile")

    def captions(self, ctx: MetricContext) -> dict[str, str]:
        from .._validation import grid_unit

        dec = ctx.get("decomposition")
        per = ", ".join(str(p) for p in dec.periods) if dec is not None else ""
        unit = grid_unit(ctx.series.index)
        return {
            "decomposition": f"{getattr(dec, 'method', 'STL')} decomposition of "
            f"log(1 + {ctx.metric}): trend, the {per}-{unit} cycles and the remainder "
            "(descriptive; the count model carries the statistics).",
            "seasonal_fit": "Observed counts with the negative-binomial seasonal model's "
            "expectation and 95% prediction interval, and its deseasonalised trend.",
            "weekday_profile": "Weekday rate ratios to the average day with 95% intervals "
            "(the seasonal model's weekday effects; intervals for serially dependent days).",
            "month_profile": "Month rate ratios to the average month with 95% intervals "
            f"({'weekday-adjusted ' if unit == 'day' else ''}negative-binomial model with a "
            f"smooth trend; intervals for serially dependent {unit}s).",
        }

    def methods(self, ctx: MetricContext) -> list[Fact]:
        out: list[Fact] = []
        dec, fit = ctx.get("decomposition"), ctx.get("seasonal_fit")
        if dec is not None:
            out += [
                ("# Decomposition", ""),
                (
                    "method",
                    f"{dec.method} of log(1 + y) (STL: Cleveland et al. 1990; MSTL: Bandara, "
                    "Hyndman & Bergmeir 2021), trend and low-pass smoothers every tenth of "
                    "their window as R's stl",
                ),
            ]
        if fit is not None:
            out += method_lines(
                fit,
                "Seasonal count model",
                "negative-binomial (NB2) regression on "
                + ("weekday effects (sum to zero), " if fit.weekly else "")
                + f"{fit.harmonics} annual Fourier pair(s) chosen by BIC and a natural "
                f"spline trend with {fit.trend_df} df; "
                + ("weekly and annual effects" if fit.weekly else "the annual effect")
                + " tested by Wald F tests "
                + _noise_text(fit),
            )
        return out

    def facts(self, ctx: MetricContext) -> list[Fact]:
        fit, prof_m = ctx.get("seasonal_fit"), ctx.get("month_profile")
        facts: list[Fact] = []
        if fit is not None:
            wk = fit.weekday
            facts += [
                ("# Seasonality (negative-binomial regression)", ""),
                ("weekly effect", describe_test(fit.tests, "weekly")),
                ("annual effect", describe_test(fit.tests, "annual")),
                ("dispersion alpha", f"{fit.dispersion:.4f} (size {fit.size:.1f})"),
            ]
            if fit.weekly:  # weekly or monthly counts have no weekdays
                facts += [
                    ("strongest weekday", _extreme(wk, max)),
                    ("weakest weekday", _extreme(wk, min)),
                ]
        if prof_m is not None:
            facts += [
                ("highest month", _extreme(prof_m.table, max)),
                ("lowest month", _extreme(prof_m.table, min)),
            ]
        return facts

    def tables(self, ctx: MetricContext) -> dict[str, pd.DataFrame | None]:
        fit, prof_w, prof_m = (
            ctx.get("seasonal_fit"),
            ctx.get("weekday_profile"),
            ctx.get("month_profile"),
        )
        return {
            "seasonal_summary": None if fit is None else fit.summary(),
            "weekday_profile": None if prof_w is None else prof_w.table,
            "baseline": None if fit is None else fit.baseline(),
            "month_profile": None if prof_m is None else prof_m.table,
        }

    def summary(self, ctx: MetricContext) -> dict[str, Any]:
        fit = ctx.get("seasonal_fit")
        nan = float("nan")
        return {
            "weekly_p": nan if fit is None else _p(fit.tests, "weekly"),
            "annual_p": nan if fit is None else _p(fit.tests, "annual"),
            "dispersion": nan if fit is None else fit.dispersion,
        }


def _p(tests: pd.DataFrame, comp: str) -> float:
    if comp not in tests.index:
        return float("nan")
    return float(tests["p_value"].to_dict()[comp])


def describe_test(tests: pd.DataFrame, comp: str) -> str:
    """One seasonal test as the report prints it (an F test with both degrees of
    freedom)."""
    if comp not in tests.index:
        return "not fitted"
    r = tests.to_dict("index")[comp]
    den = r.get("df_denominator", float("nan"))
    if not pd.isna(den):  # an F test: both degrees of freedom, the statistic on the F scale
        f_stat = r["statistic"] / r["df"]
        return f"{r['method']}: F({int(r['df'])}, {den:.0f}) = {f_stat:.2f}, p = {r['p_value']:.3g}"
    return f"{r['method']}: {r['statistic']:.1f} on {int(r['df'])} df, p = {r['p_value']:.3g}"


def _extreme(table: pd.DataFrame, fn: Any) -> str:
    key = fn(table.index, key=lambda i: table.loc[i, "rate_ratio"])
    r = table.loc[key]
    return f"{key}: {r['rate_ratio']:.3f} (95% CI {r['ci_lower']:.3f}–{r['ci_upper']:.3f})"


def _noise_text(fit: Any) -> str:
    """How the seasonal model's tests allow for the serial dependence (the model
    :func:`~intensity.fit_seasonal` chose)."""
    dep = fit.dependence
    if dep is not None and dep.drift > 0:
        return (
            "with the covariance of a local level (random walk, drift sd "
            f"{dep.drift**0.5:.3f} a day) + AR(1) model of the log-rate, taken because "
            "the log-rate drifts beyond an AR(1) (denominator df from the precision of "
            "the drift variance); the annual cycle tested with 2 harmonics"
        )
    return (
        "with the covariance of a latent AR(1) model of the log-rate (denominator df "
        "from its effective sample size); the annual cycle tested with 2 harmonics"
    )
