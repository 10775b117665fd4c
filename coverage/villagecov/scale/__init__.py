"""National scale on Dask (dask.distributed): the heavy commands as task graphs.

- :mod:`.cluster`: which scheduler (``--scheduler``, ``VILLAGECOV_DASK_SCHEDULER``): an address
  ``tcp://host:8786``, ``local:N`` (a LocalCluster of N worker processes) or nothing (today's
  single-process path).
- :mod:`.predict`: ``villagecov predict`` — one task per site batch over DEM windows, best-server
  merge per output tile as a tree reduction, the COG written window by window.
- :mod:`.blocks`: ``villagecov compute`` — villages in commune blocks, each with its coverage pieces.
- :mod:`.measurements`: measurement datasets (many CSVs, Parquet) read in partitions
  (dask.dataframe), validated and quarantined by the ingest's own rules, bulk-loaded through the
  store, and aggregated per village × operator × technology × period.

Tasks are pure module-level functions (picklable, importable on every worker); workers read and
write through :mod:`villagecov.storage` with the store URL, never through a shared object.
"""
