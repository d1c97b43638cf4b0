"""Retrieval library, knowledge base and IUC domain logic.

Kept light on purpose: the action server and the web app import this package at
start-up, so models and indexes load lazily (see ``knowledge.service.load_answerer``).
"""
