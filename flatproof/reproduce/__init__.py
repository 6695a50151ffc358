"""Simulation studies that regenerate the figures of the docs (``flatproof reproduce STUDY``)."""

STUDIES = ("logistic", "homogeneous")

__all__ = ["STUDIES", "homogeneous", "logistic"]
