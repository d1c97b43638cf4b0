"""Code that Rasa runs in ``.venv-rasa``: custom NLU components named in config.yml and
the server wrapper. It imports Rasa, what requirements/rasa.txt installs, the standard
library and ``knowledge.language`` (standard library only), nothing else of the project:
``tests/test_layering.py`` checks it.
"""
