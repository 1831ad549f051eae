"""Business logic and every database statement. Services never commit; the request edge does.

Each module speaks one vocabulary: get, get_page, create, update, delete, with
keyword-only arguments after the session.
"""
