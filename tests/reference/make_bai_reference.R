# Reference for tests/test_breaks.py::test_bai_intervals_match_strucchange.
# Run from tests/reference:  Rscript make_bai_reference.R after
# python make_bai_series.py, which writes its input bai_series.csv
# Bai's (1997) date intervals as strucchange::confint computes them by default
# (heteroskedastic errors) for one mean break (breakpoints(y ~ 1, h = 15, breaks = 1))
# in eight series of 200 values with noise sd 1 before the break at 120 and sd
# 0.3 ... 4 after (bai_series.csv), at the
# levels 0.8, 0.9, 0.95 and 0.99. Where strucchange cannot compute the interval
# (it warns) its bounds are NA.
suppressPackageStartupMessages(library(strucchange))
d <- read.csv("bai_series.csv")
rows <- list()
for (name in unique(d$series)) {
  y <- d$value[d$series == name]
  bp <- breakpoints(y ~ 1, h = 15, breaks = 1)
  for (level in c(0.8, 0.9, 0.95, 0.99)) {
    ci <- tryCatch(confint(bp, breaks = 1, level = level)$confint, error = function(e) NULL)
    if (is.null(ci)) next
    rows[[length(rows) + 1]] <- data.frame(series = name, level = level, ci_lower = ci[1, 1],
                                           breakpoint = ci[1, 2], ci_upper = ci[1, 3])
  }
}
write.csv(do.call(rbind, rows), "bai_strucchange.csv", row.names = FALSE)
cat(sprintf("# %s; strucchange %s\n", R.version.string, as.character(packageVersion("strucchange"))),
    file = "bai_strucchange.versions.txt")
