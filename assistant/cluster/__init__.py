"""Cluster mode: several Rasa servers sharing PostgreSQL and Redis, on one host
(``make run-cluster``) or as containers (compose.yaml mirrors :mod:`.plan`)."""
