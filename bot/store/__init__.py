"""Persistence of conversations, processed messages, feedback and consultations (SQLAlchemy)."""
