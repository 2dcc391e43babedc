"""Loading verified drops into the warehouse's raw layer."""

from creditwh.load.raw import LoadResult, load_drop

__all__ = ["LoadResult", "load_drop"]
