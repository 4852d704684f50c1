"""Integer codes of the segmentation cost models (shared by the numba kernels and Python)."""

POISSON = 0
NEGBIN = 1
NORMAL = 2
NORMAL_MEANVAR = 3
LINEAR = 4  # continuous piecewise-linear trend (kernel: _pelt.cpop)
