"""Backup and restore of a whole deployment (issue 13 item 7, decision 0023).

`dump.py` writes a backup directory (the database as engine-neutral JSON lines per model, read from one
snapshot; every stored file; the task files under MEDIA_ROOT; SIGNING_DIR's server key) with `manifest.json`;
`load.py` checks a backup against its manifest, loads it into an empty deployment in one transaction and
`verify.py` checks the result (file hashes, row counts, register counters, audit chains, signatures).
"""
