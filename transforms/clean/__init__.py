"""Stage 2, clean: entity and mojibake repair, normalisation, boilerplate, all as recorded edits."""
