"""`make bench`: a default bake against an equal-work reference app, under wrk."""
