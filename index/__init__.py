"""policyscope.index."""
