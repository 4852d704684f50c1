# Reference for tests/test_breaks.py::test_monthly_season_is_season_not_dependence.
# Run from tests/reference:  Rscript make_ukdriverdeaths_reference.R
# R's UKDriverDeaths (monthly, 1969-1984; the seat-belt law came into force 31 Jan 1983)
# and strucchange's own seasonal breakpoint model of it (the example in ?breakpoints:
# log10 deaths on their lags 1 and 12, h = 0.1, the two-break model it adopts).
suppressPackageStartupMessages(library(strucchange))
y <- UKDriverDeaths
write.csv(data.frame(date = format(seq(as.Date("1969-01-01"), by = "month",
                                       length.out = length(y))),
                     deaths = as.numeric(y)),
          "ukdriverdeaths.csv", row.names = FALSE)
seat <- log10(y)
seat <- cbind(seat, lag(seat, k = -1), lag(seat, k = -12))
colnames(seat) <- c("y", "ylag1", "ylag12")
seat <- window(seat, start = c(1970, 1), end = c(1984, 12))
bp <- breakpoints(y ~ ylag1 + ylag12, data = seat, h = 0.1)
# as ?breakpoints says, the BIC picks 0 breaks in this dynamic regression although the
# supF and RE tests reject stability, so the example adopts the two-break model
first <- breakdates(breakpoints(bp, breaks = 2))  # the last month of each old regime, as year + (month - 1) / 12
yr <- floor(first + 1e-9)
mo <- round((first - yr) * 12) + 1
starts <- sapply(seq_along(first), function(i) {
  d <- as.Date(sprintf("%04d-%02d-01", yr[i], mo[i]))
  format(seq(d, by = "month", length.out = 2)[2])  # the first month of the new regime
})
write.csv(data.frame(first_month_of_new_regime = starts),
          "ukdriverdeaths_strucchange.csv", row.names = FALSE)
cat(sprintf("# %s; strucchange %s\n", R.version.string, as.character(packageVersion("strucchange"))),
    file = "ukdriverdeaths_strucchange.versions.txt")
