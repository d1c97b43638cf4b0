# The web app and action server image of cluster mode (compose.yaml: app, actions-1).
# Not built in CI: no container engine runs there; tests/cluster/test_containers.py keeps
# this file in step with the Makefile and the cluster plan. Build after `make kb` (the
# built knowledge index is baked in): docker compose build
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The project's environment, as `make setup` creates it (without the dev tools).
COPY pyproject.toml README.md ./
COPY assistant/ assistant/
COPY knowledge/ knowledge/
COPY actions/ actions/
RUN python -m venv .venv && .venv/bin/pip install -e .

COPY var/index var/index

RUN useradd --create-home iuc && chown iuc var
USER iuc
EXPOSE 8000 5055
CMD [".venv/bin/python", "-m", "assistant.launch", "app"]
