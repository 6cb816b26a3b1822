"""Stage 1, load: raw bytes to records (decoding, parsing of each input format)."""
