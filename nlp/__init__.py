"""policyscope.nlp."""
