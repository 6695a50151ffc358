"""Networks, losses and data generators (MATH.md U.1, M.1)."""
