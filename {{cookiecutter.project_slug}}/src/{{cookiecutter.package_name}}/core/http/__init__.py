"""The HTTP edge: problem+json errors, middleware, the access line, OpenAPI.

Routers, dependencies and `main` use it; services never do (R1.10).
"""
