"""The conversation engine, the human consultation queue and the channel adapters.

Nothing here yet: the foundation issue builds the knowledge base this package will answer from.
"""
