"""vanthu's SQLite backend (decision 0050): Django's, with the wait for the write lock done by vanthu."""
