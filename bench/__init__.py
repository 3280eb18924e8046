"""Serving benchmarks: a loopback load generator and the plain-Django views it compares to."""
