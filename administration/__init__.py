"""Administration: an office's own people, customers and offices, by hand or by CSV import."""
