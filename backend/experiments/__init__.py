"""A/B experiments over served-list configurations: variants, sticky assignment, the
lifecycle that ships a winner as the surface's default, and results with intervals."""
