"""Stage 4, link: duplicates, syndicated copies, stories and story-level facts."""
