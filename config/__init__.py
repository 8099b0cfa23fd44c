"""Typed settings and the domain data staff edit without code (taxonomy, dictionaries)."""
