"""Segmentation, the inverted index, fuzzy matching, confidence, and the eval/bench harnesses.

Nothing here yet: the search issue builds it on top of `knowledge`.
"""
