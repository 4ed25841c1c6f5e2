"""Repositories, one module per aggregate: intention-revealing methods returning core snapshots."""
