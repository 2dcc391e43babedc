"""creditwh: credit data warehouse pipeline."""
__version__ = "0.1.0"
