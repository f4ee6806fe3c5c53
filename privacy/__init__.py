"""Personal data kept only as long as allowed: retention, legal holds, access and erasure."""
