"""The FastAPI application: pages, JSON API, and (later) channel webhooks and the staff console."""
