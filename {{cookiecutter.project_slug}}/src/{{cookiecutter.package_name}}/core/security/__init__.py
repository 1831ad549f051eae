"""Who the caller is and what they may try: password hashing, tokens, brute-force limits."""
