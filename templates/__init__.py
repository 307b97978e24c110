"""Jinja2 templates for every outgoing kind, named by audience and kind."""
