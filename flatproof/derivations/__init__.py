"""Closed forms derived by sympy and lambdified (``cse=True``) for the numeric core (MATH.md)."""
