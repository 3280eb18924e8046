"""Lupi's Django project: settings, URLs and one app per platform domain."""
