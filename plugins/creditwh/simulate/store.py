"""A growable struct-of-arrays: one numpy array per field, rows appended in bulk, views of the used part."""

from __future__ import annotations

import numpy as np


class ArrayStore:
    """Fields are declared once as name -> (dtype, fill value[, trailing shape]); ``store.name`` is a view."""

    def __init__(self, fields: dict[str, tuple], capacity: int):
        self._fields = fields
        self._data = {
            name: np.full((capacity, *spec[2:]) if len(spec) > 2 else capacity, spec[1], dtype=spec[0])
            for name, spec in fields.items()
        }
        self.n = 0

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is None or name not in data:
            raise AttributeError(name)
        return data[name][: self.n]

    def append(self, k: int) -> slice:
        """Reserve k new rows (filled with the defaults) and return their slice."""
        capacity = len(next(iter(self._data.values())))
        if self.n + k > capacity:
            new_capacity = max(self.n + k, int(capacity * 1.25) + 16)
            for name, spec in self._fields.items():
                old = self._data[name]
                grown = np.full((new_capacity, *old.shape[1:]), spec[1], dtype=old.dtype)
                grown[: self.n] = old[: self.n]
                self._data[name] = grown
        rows = slice(self.n, self.n + k)
        self.n += k
        return rows
