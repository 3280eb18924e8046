"""The generated demo platform: a believable catalogue, audience and months of feedback.

``generator.seed_demo`` runs the stages in order; each stage module draws its part with
vectorised numpy from its own random stream and writes it with ``bulk_insert``:

=================  ==========================================================
``taxonomy``       categories and tags
``accounts``       distinct people's names, the user rows, the demo passwords
``creators``       creators' styles, quality and profiles
``items``          items, their tags and publication times; ``texts`` titles
``readers``        readers' tastes, rhythms and declared interests
``interactions``   exposures, when they happened and the feedback funnel
``impressions``    the served lists the exposures came from, and unclicked ones
``not_interested`` muted tags and creators
``latent``         the readers' latent tastes, kept for the traffic simulator
=================  ==========================================================
"""
