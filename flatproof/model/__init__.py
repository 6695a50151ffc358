"""Networks, losses and data generators (flatproof math U.1, M.1)."""
