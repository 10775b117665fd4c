"""HTTP API of villagecov (FastAPI)."""
