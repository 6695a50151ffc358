"""Instances and how they are built: the Instance, model families, data sources, named constructions, GD."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = ["constructions", "families", "generators", "instance", "train"]
