"""messaging package: the text messages the centre sends, job alerts, and texts it receives."""
