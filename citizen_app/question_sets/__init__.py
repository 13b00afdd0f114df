"""Question sets for feedback after a meeting: data files, not code. See README.md here."""
