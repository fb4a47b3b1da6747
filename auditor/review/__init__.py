"""The weekly review without its screens: the decision store (SQLite) and the state the app
shows and changes (`ReviewState`), UI-free and inside the engine's import guard.
"""
