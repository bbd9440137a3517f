"""The review desk: a web app (FastAPI, server-rendered Vietnamese pages) where reviewers check and
correct letters, on the same store as the command line. ``petitions review`` starts it."""
