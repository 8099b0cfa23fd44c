"""The staff console: log-in, queues, consultations, reviews, reports (pages and JSON API)."""
