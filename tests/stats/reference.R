# Reference values for backfire.stats, computed with R.
#
# Usage (from the repository root):
#   Rscript tests/stats/reference.R
#
# Reads tests/stats/fixtures/*.csv (made by tests/stats/make_fixtures.py) and
# writes tests/stats/reference/*.json. The JSON files are committed; the
# Python tests compare against them, so R is not needed to run the tests.
#
# Generated with R 4.2.2, metafor 3.8.1, lme4 1.1.31, lmerTest 3.1.3,
# effectsize 0.8.3, jsonlite 1.8.4 (Debian bookworm packages).

options(warn = 1)
suppressPackageStartupMessages({
  library(metafor)
  library(lme4)
  library(lmerTest)
  library(effectsize)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "tests/stats"
fix <- file.path(here, "fixtures")
out <- file.path(here, "reference")
dir.create(out, showWarnings = FALSE)

save <- function(x, name) {
  rownames(x) <- NULL
  write_json(x, file.path(out, name), digits = NA, pretty = TRUE, na = "null")
}

versions <- data.frame(
  package = c("R", "metafor", "lme4", "lmerTest", "effectsize", "jsonlite"),
  version = c(paste(R.version$major, R.version$minor, sep = "."),
              as.character(packageVersion("metafor")),
              as.character(packageVersion("lme4")),
              as.character(packageVersion("lmerTest")),
              as.character(packageVersion("effectsize")),
              as.character(packageVersion("jsonlite")))
)
save(versions, "versions.json")

# ---------------------------------------------------------------- Hedges' g
# Noncentral-t CI for the noncentrality parameter by root finding (the same
# inversion as MBESS::conf.limits.nct), converted to d and multiplied by J.
ncp_ci <- function(t, df, level) {
  a <- 1 - level
  f_lo <- function(ncp) pt(t, df, ncp) - (1 - a / 2)
  f_hi <- function(ncp) pt(t, df, ncp) - a / 2
  c(uniroot(f_lo, c(t - 1, t + 1), tol = 1e-13, extendInt = "yes")$root,
    uniroot(f_hi, c(t - 1, t + 1), tol = 1e-13, extendInt = "yes")$root)
}

tg <- read.csv(file.path(fix, "two_groups.csv"))
rows <- list()
for (case in unique(tg$case)) {
  x <- tg$value[tg$case == case & tg$group == "treated"]
  y <- tg$value[tg$case == case & tg$group == "control"]
  n1 <- length(x); n2 <- length(y); m <- n1 + n2 - 2
  es <- summary(escalc("SMD", m1i = mean(x), m2i = mean(y), sd1i = sd(x), sd2i = sd(y),
                       n1i = n1, n2i = n2))
  sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / m)
  d <- (mean(x) - mean(y)) / sp
  j_exact <- exp(lgamma(m / 2) - log(sqrt(m / 2)) - lgamma((m - 1) / 2))
  j_approx <- 1 - 3 / (4 * m - 1)  # escalc has no option for the approximation
  g_approx <- j_approx * d
  vi_approx <- 1 / n1 + 1 / n2 + g_approx^2 / (2 * (n1 + n2))
  tt <- t.test(x, y, var.equal = TRUE)
  tw <- t.test(x, y, var.equal = FALSE)
  ncp <- ncp_ci(unname(tt$statistic), m, 0.95)
  ncp90 <- ncp_ci(unname(tt$statistic), m, 0.90)
  scale <- sqrt(1 / n1 + 1 / n2)
  eg <- effectsize::hedges_g(x, y, ci = 0.95)
  rows[[case]] <- data.frame(
    case = case, n_treated = n1, n_control = n2,
    g_exact = es$yi, vi_exact = es$vi, ci_low_exact = es$ci.lb, ci_high_exact = es$ci.ub,
    J_exact = j_exact, d = d,
    g_approx = g_approx, se_approx = sqrt(vi_approx),
    ci_low_approx = g_approx - qnorm(0.975) * sqrt(vi_approx),
    ci_high_approx = g_approx + qnorm(0.975) * sqrt(vi_approx),
    nct_ci_low = j_exact * ncp[1] * scale, nct_ci_high = j_exact * ncp[2] * scale,
    nct90_ci_low = j_exact * ncp90[1] * scale, nct90_ci_high = j_exact * ncp90[2] * scale,
    effectsize_g = eg$Hedges_g, effectsize_ci_low = eg$CI_low, effectsize_ci_high = eg$CI_high,
    t = unname(tt$statistic), df = unname(tt$parameter), p = tt$p.value,
    t_welch = unname(tw$statistic), df_welch = unname(tw$parameter), p_welch = tw$p.value
  )
}
save(do.call(rbind, rows), "hedges.json")

# ------------------------------------------------------------- mixed models
fe_rows <- list(); vc_rows <- list()
for (file in c("mixed.csv", "mixed_unbalanced.csv")) {
  dat <- read.csv(file.path(fix, file))
  for (form in c("y ~ ratio", "y ~ ratio * condition")) {
    for (reml in c(TRUE, FALSE)) {
      fit <- lmerTest::lmer(as.formula(paste(form, "+ (1 | language)")), data = dat,
                            REML = reml)
      co <- summary(fit)$coefficients
      key <- paste(file, form, reml)
      fe_rows[[key]] <- data.frame(
        dataset = file, formula = form, reml = reml, term = rownames(co),
        estimate = co[, "Estimate"], se = co[, "Std. Error"], df = co[, "df"],
        t = co[, "t value"], p_satterthwaite = co[, "Pr(>|t|)"],
        p_wald = 2 * pnorm(-abs(co[, "t value"])),
        row.names = NULL
      )
      vc <- as.data.frame(VarCorr(fit))
      vc_rows[[key]] <- data.frame(
        dataset = file, formula = form, reml = reml,
        group_var = vc$vcov[vc$grp == "language"],
        residual_var = vc$vcov[vc$grp == "Residual"],
        loglik = as.numeric(logLik(fit)),
        singular = isSingular(fit)
      )
    }
  }
}
# Boundary case: lme4 reports "boundary (singular) fit"; estimates still defined.
dat <- read.csv(file.path(fix, "mixed_boundary.csv"))
for (reml in c(TRUE, FALSE)) {
  fit <- suppressMessages(lmerTest::lmer(y ~ ratio + (1 | language), data = dat, REML = reml))
  co <- summary(fit)$coefficients
  key <- paste("boundary", reml)
  fe_rows[[key]] <- data.frame(
    dataset = "mixed_boundary.csv", formula = "y ~ ratio", reml = reml, term = rownames(co),
    estimate = co[, "Estimate"], se = co[, "Std. Error"], df = co[, "df"],
    t = co[, "t value"], p_satterthwaite = co[, "Pr(>|t|)"],
    p_wald = 2 * pnorm(-abs(co[, "t value"])), row.names = NULL
  )
  vc <- as.data.frame(VarCorr(fit))
  vc_rows[[key]] <- data.frame(
    dataset = "mixed_boundary.csv", formula = "y ~ ratio", reml = reml,
    group_var = vc$vcov[vc$grp == "language"], residual_var = vc$vcov[vc$grp == "Residual"],
    loglik = as.numeric(logLik(fit)), singular = isSingular(fit)
  )
}
save(do.call(rbind, fe_rows), "mixed_fixef.json")
save(do.call(rbind, vc_rows), "mixed_varcomp.json")

# -------------------------------------------------------------- correlation
co <- read.csv(file.path(fix, "correlation.csv"))
rows <- list()
for (case in unique(co$case)) {
  x <- co$x[co$case == case]; y <- co$y[co$case == case]; n <- length(x)
  pe <- cor.test(x, y, method = "pearson")
  sp_exact <- cor.test(x, y, method = "spearman")  # exact (AS 89) for n < 1290, no ties
  sp_t <- cor.test(x, y, method = "spearman", exact = FALSE)  # t approximation
  rho <- unname(sp_t$estimate)
  # cor.test gives no CI for Spearman; Fisher z with se = 1/sqrt(n - 3) by hand.
  zc <- qnorm(0.975) / sqrt(n - 3)
  rows[[case]] <- data.frame(
    case = case, n = n,
    r = unname(pe$estimate), r_ci_low = pe$conf.int[1], r_ci_high = pe$conf.int[2],
    r_p = pe$p.value,
    rho = rho, rho_ci_low = tanh(atanh(rho) - zc), rho_ci_high = tanh(atanh(rho) + zc),
    rho_p_t = sp_t$p.value, rho_p_exact = sp_exact$p.value
  )
}
save(do.call(rbind, rows), "correlation.json")

# --------------------------------------------------------------------- Holm
pv <- read.csv(file.path(fix, "pvalues.csv"))
pv$holm <- NA_real_
for (case in unique(pv$case)) {
  i <- pv$case == case
  pv$holm[i] <- p.adjust(pv$p[i], method = "holm")
}
save(pv, "holm.json")

# ----------------------------------------------------------------- binomial
cases <- data.frame(
  k = c(12, 3, 7, 2, 0, 10, 11, 5),
  n = c(16, 15, 10, 20, 10, 10, 16, 16),
  p0 = c(0.5, 0.5, 0.3, 0.25, 0.5, 0.5, 0.5, 0.3),
  alternative = c("two.sided", "two.sided", "greater", "less", "two.sided", "two.sided",
                  "two.sided", "two.sided")
)
rows <- list()
for (i in seq_len(nrow(cases))) {
  b <- binom.test(cases$k[i], cases$n[i], p = cases$p0[i], alternative = cases$alternative[i])
  rows[[i]] <- data.frame(cases[i, ], estimate = unname(b$estimate), p = b$p.value,
                          ci_low = b$conf.int[1], ci_high = b$conf.int[2], row.names = NULL)
}
save(do.call(rbind, rows), "binom.json")

# -------------------------------------------------------------------- power
grid <- expand.grid(n = c(5, 15, 30), delta = c(0.5, 0.771, 1.0, 1.844), alpha = c(0.05, 0.01))
grid$power <- mapply(function(n, d, a) {
  power.t.test(n = n, delta = d, sd = 1, sig.level = a, type = "two.sample",
               alternative = "two.sided", strict = TRUE)$power
}, grid$n, grid$delta, grid$alpha)
save(grid, "power.json")

cat("wrote", length(list.files(out)), "files to", out, "\n")
