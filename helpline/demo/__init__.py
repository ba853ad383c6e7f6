"""The demo organization, its simulated traffic and the Anonymous Bank importer: seed data and a customer simulator."""
