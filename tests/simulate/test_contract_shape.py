import itertools

import pyarrow as pa
from creditwh.contract import DATASETS
from creditwh.simulate.arrow import ARROW_TYPES


def test_every_table_has_exactly_the_contract_columns_and_types(book_45_days):
    for snap in book_45_days[:3]:
        for dataset in DATASETS:
            tbl = getattr(snap, dataset.name)
            expected = pa.schema([pa.field(c, ARROW_TYPES[t]) for c, t in dataset.columns.items()])
            assert tbl.schema.equals(expected), dataset.name


def test_every_row_carries_the_drop_date_and_keys_are_unique(book_45_days):
    for snap in book_45_days:
        for dataset in DATASETS:
            tbl = getattr(snap, dataset.name)
            assert set(tbl.column("business_date").to_pylist()) <= {snap.business_date}
            keys = tbl.column(dataset.key[0]).to_pylist()
            assert len(keys) == len(set(keys)), dataset.name
        ids = snap.accounts.column("account_id").to_pylist()
        assert ids == sorted(ids)  # fixed row order


def test_days_are_consecutive_calendar_dates(book_45_days):
    dates = [s.business_date for s in book_45_days]
    assert all((b - a).days == 1 for a, b in itertools.pairwise(dates))
