"""policyscope.corpus."""
