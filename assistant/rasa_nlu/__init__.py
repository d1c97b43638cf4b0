"""Custom Rasa NLU components, named in config.yml and run by the Rasa environment.

Modules here import only Rasa and the standard library (plus what requirements/rasa.txt
installs): the Rasa environment does not have the project's packages.
"""
