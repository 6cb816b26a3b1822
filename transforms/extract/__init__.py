"""Stage 3, extract: metadata, numbers, counts, quotes, names, places and dates from the clean text."""
