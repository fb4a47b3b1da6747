"""Screens of the review app: loading, the review itself, help and the modal dialogs."""
