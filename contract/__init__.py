"""The warehouse contract: tables, columns and vocabularies. Imports nothing from the project."""
