# Reference for tests/test_breaks.py::test_nile_matches_strucchange.
# Run from tests/reference:  Rscript make_nile_reference.R
# R's Nile data (also in statsmodels.datasets.nile); single mean break, default
# confint() (heteroskedastic errors), 95% level.
suppressPackageStartupMessages(library(strucchange))
bp <- breakpoints(Nile ~ 1, h = 0.15)
ci <- confint(bp, breaks = 1)$confint
fit <- breakpoints(Nile ~ 1, breaks = 1)
co <- coef(fit)
out <- data.frame(breakpoint_last_of_old_1based = ci[1, 2], ci_lower = ci[1, 1], ci_upper = ci[1, 3],
                  mean_before = co[1, 1], mean_after = co[2, 1], h = 15,
                  n_breaks_bic = length(na.omit(bp$breakpoints)))
write.csv(out, "nile_strucchange.csv", row.names = FALSE)
cat(sprintf("# %s; strucchange %s\n", R.version.string, as.character(packageVersion("strucchange"))),
    file = "nile_strucchange.versions.txt")
