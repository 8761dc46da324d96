"""The programme file: reading it, refusing hostile ones, loading it; the bundled sample."""
