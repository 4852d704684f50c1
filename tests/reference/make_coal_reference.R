# Yearly counts of British coal-mining disasters (explosions killing ten or more men),
# 15 March 1851 to 22 March 1962: the 191 event dates of Jarrett (1979), "A note on the
# intervals between coal-mining disasters", Biometrika 66, 191-193, as corrected and
# published in Davison & Hinkley (1997), Bootstrap Methods and their Application, and
# shipped as `coal` (decimal years) in R's recommended package `boot`.
# The first and last years are partial (from 15 March 1851; to 22 March 1962).
#
# Run from the repository root:  Rscript tests/reference/make_coal_reference.R
library(boot)
data(coal)
year <- floor(coal$date)
counts <- table(factor(year, levels = 1851:1962))
out <- data.frame(year = as.integer(names(counts)), disasters = as.integer(counts))
write.csv(out, "tests/reference/coal_mining_disasters.csv", row.names = FALSE)
writeLines(
  c(R.version.string, paste("boot", packageVersion("boot")), paste("events", nrow(coal))),
  "tests/reference/coal_mining_disasters.versions.txt"
)
