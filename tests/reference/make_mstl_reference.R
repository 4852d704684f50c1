# Reference values for tests/test_seasonal.py::test_decompose_matches_r_forecast_mstl.
# Run from tests/reference:  Rscript make_mstl_reference.R
# Input: mstl_input.csv (a simulated series from intensity.simulate.simulate_counts,
# 800 days, seed 20261128). Output: mstl_forecast.csv with R's forecast::mstl components of
# log1p(y) with periods 7 and 365 and its default settings (robust = FALSE, iterate = 2,
# s.window = 7 + 4 * seq(6)).
suppressPackageStartupMessages(library(forecast))
d <- read.csv("mstl_input.csv")
y <- msts(log1p(d$y), seasonal.periods = c(7, 365))
m <- mstl(y)
out <- data.frame(date = d$date, data = as.numeric(m[, "Data"]), trend = as.numeric(m[, "Trend"]),
                  seasonal_7 = as.numeric(m[, "Seasonal7"]), seasonal_365 = as.numeric(m[, "Seasonal365"]),
                  remainder = as.numeric(m[, "Remainder"]))
write.csv(out, "mstl_forecast.csv", row.names = FALSE)
cat(sprintf("# %s; forecast %s\n", R.version.string, as.character(packageVersion("forecast"))),
    file = "mstl_forecast.versions.txt")

# Weekly period only (the same data): forecast::mstl on msts(log1p(y), 7).
m7 <- mstl(msts(log1p(d$y), seasonal.periods = 7))
out7 <- data.frame(date = d$date, trend = as.numeric(m7[, "Trend"]),
                   seasonal_7 = as.numeric(m7[, "Seasonal7"]), remainder = as.numeric(m7[, "Remainder"]))
write.csv(out7, "mstl7_forecast.csv", row.names = FALSE)
