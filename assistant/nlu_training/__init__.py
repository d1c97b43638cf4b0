"""Build-time generation of French and Spanish NLU examples (``make train``)."""
