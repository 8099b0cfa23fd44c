"""Persistence of the knowledge base (the only place in `knowledge` that imports SQLAlchemy)."""
