"""What a search term means to the platforms, for the rules and the negatives alike: what a
negative blocks (`matching`), the n-grams of the terms (`ngrams`), close variants (`variants`).
"""
