"""policyscope.ui."""
