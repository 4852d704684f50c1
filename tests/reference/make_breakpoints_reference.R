# Reference for tests/test_breaks.py::test_n_breaks_matches_strucchange.
# Run from tests/reference:  Rscript make_breakpoints_reference.R
# Optimal mean-shift segmentations with exactly m breaks (strucchange::breakpoints with
# breaks = m, minimum segment size h) of R's Nile (h = 5, m = 1..3) and UKDriverDeaths
# (h = 12, m = 1..4). Break positions are strucchange's: the 1-based index of the last
# observation of the old regime (intensity's 0-based first index of the new regime is the
# same integer). The series values are written too (R's datasets package, GPL-2), so the
# test needs no R.
suppressPackageStartupMessages(library(strucchange))
rows <- list()
vals <- list()
for (spec in list(list(name = "Nile", y = as.numeric(Nile), h = 5, m = 1:3),
                  list(name = "UKDriverDeaths", y = as.numeric(UKDriverDeaths), h = 12, m = 1:4))) {
  y <- spec$y
  bp <- breakpoints(y ~ 1, h = spec$h)
  for (m in spec$m) {
    b <- breakpoints(bp, breaks = m)$breakpoints
    rows[[length(rows) + 1]] <- data.frame(series = spec$name, h = spec$h, m = m,
                                           breakpoints = paste(b, collapse = " "),
                                           rss = sum(residuals(lm(y ~ breakfactor(breakpoints(bp, breaks = m))))^2))
  }
  vals[[length(vals) + 1]] <- data.frame(series = spec$name, i = seq_along(y), value = y)
}
write.csv(do.call(rbind, rows), "breakpoints_strucchange.csv", row.names = FALSE)
write.csv(do.call(rbind, vals), "breakpoints_series.csv", row.names = FALSE)
cat(sprintf("# %s; strucchange %s\n", R.version.string, as.character(packageVersion("strucchange"))),
    file = "breakpoints_strucchange.versions.txt")
