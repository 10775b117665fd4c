"""villagecov: telecom coverage and infrastructure mapping for Quảng Bình villages."""

__version__ = "0.1.0"
