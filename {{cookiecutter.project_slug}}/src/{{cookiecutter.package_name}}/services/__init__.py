"""Business logic and every database statement. Services flush; the request edge commits.

Each module speaks one vocabulary: get, get_page, create, update, delete, with
keyword-only arguments after the session.
"""
