"""The review's tab panes, one module each."""
