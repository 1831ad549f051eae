"""Cross-cutting infrastructure, one package per concern.

Here: settings (`config`), the local database's address, domain errors and
logging. `db/` is the data path, `security/` passwords, tokens and limits,
`http/` the HTTP edge, which services never import.
"""
