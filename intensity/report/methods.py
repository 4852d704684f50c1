"""The methods page of a report: how each section's results were computed, from the
results themselves (each section's :meth:`~intensity.report.base.Section.methods`), and
the works those lines cite."""

from __future__ import annotations

from .base import Fact

#: the works the sections cite, by the short form their methods lines use
REFERENCES = {
    "Cleveland et al. 1990": "Cleveland, R. B., Cleveland, W. S., McRae, J. E. & Terpenning, "
    "I. (1990). STL: a seasonal-trend decomposition procedure based on loess. Journal of "
    "Official Statistics 6, 3-73.",
    "Bandara, Hyndman & Bergmeir 2021": "Bandara, K., Hyndman, R. J. & Bergmeir, C. (2021). "
    "MSTL: a seasonal-trend decomposition algorithm for time series with multiple seasonal "
    "patterns. arXiv:2107.13462.",
    "Killick, Fearnhead & Eckley 2012": "Killick, R., Fearnhead, P. & Eckley, I. A. (2012). "
    "Optimal detection of changepoints with a linear computational cost. Journal of the "
    "American Statistical Association 107, 1590-1598.",
    "Maidstone et al. 2017": "Maidstone, R., Hocking, T., Rigaill, G. & Fearnhead, P. (2017). "
    "On optimal multiple changepoint algorithms for large data. Statistics and Computing "
    "27, 519-533.",
    "Zhang & Siegmund 2007": "Zhang, N. R. & Siegmund, D. O. (2007). A modified Bayes "
    "information criterion with applications to the analysis of comparative genomic "
    "hybridization data. Biometrics 63, 22-32.",
    "Besag & Clifford 1991": "Besag, J. & Clifford, P. (1991). Sequential Monte Carlo "
    "p-values. Biometrika 78, 301-304.",
    "Haynes, Eckley & Fearnhead 2017": "Haynes, K., Eckley, I. A. & Fearnhead, P. (2017). "
    "Computationally efficient changepoint detection for a range of penalties. Journal of "
    "Computational and Graphical Statistics 26, 134-143.",
    "Benjamini & Hochberg 1995": "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false "
    "discovery rate: a practical and powerful approach to multiple testing. Journal of the "
    "Royal Statistical Society B 57, 289-300.",
    "Chow & Lin 1971": "Chow, G. C. & Lin, A. (1971). Best linear unbiased interpolation, "
    "distribution, and extrapolation of time series by related series. Review of Economics "
    "and Statistics 53, 372-375.",
    "Bardsley et al. 2014": "Bardsley, J. M., Solonen, A., Haario, H. & Laine, M. (2014). "
    "Randomize-then-optimize: a method for sampling from posterior distributions in "
    "nonlinear inverse problems. SIAM Journal on Scientific Computing 36, A1895-A1910.",
    "Rubin 1987": "Rubin, D. B. (1987). Multiple Imputation for Nonresponse in Surveys. "
    "Wiley, New York.",
}


def methods_facts(lines: list[Fact]) -> list[Fact]:
    """The methods lines of every section that ran, then the works they cite (only
    those: the page says what was done, not what could have been)."""
    text = " ".join(f"{k} {v}" for k, v in lines)
    cited = [full for short, full in REFERENCES.items() if short in text]
    if not lines:
        return []
    return [*lines, ("# References", ""), *(("", ref) for ref in cited)]
