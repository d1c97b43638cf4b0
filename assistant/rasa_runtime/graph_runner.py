"""Run Rasa's model graph node after node, without dask (run by ``.venv-rasa``).

Rasa 3.6 runs its graph through dask's synchronous scheduler on every message (the
NLU pipeline) and every prediction (the policies), two or three times a turn. For a
dozen nodes in a line that is pure overhead: working out the minimal graph again,
dask's task bookkeeping, and a debug message formatted whether or not it is logged.
py-spy under chat load put it at about 7 % of Rasa's CPU per turn.

Here the order of the nodes is worked out once per set of targets, and each node is
called with its parents' outputs exactly as dask called it: positionally, in the
order of its ``needs``, each as ``(node name, output)``, a missing one as its name.
Errors are raised as before (a ``RuntimeError`` becomes Rasa's ``GraphRunError``).
This file runs in the Rasa environment and imports nothing from the project.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def order(self: DaskGraphRunner, targets: tuple[str, ...]) -> list[Any]:
        """(node name, node, names of its parents) in an order that runs parents
        first; cached on the runner per set of targets."""
        cache = self.__dict__.setdefault("_iuc_orders", {})
        if targets not in cache:
            nodes = self._graph_schema.nodes
            seen: set[str] = set()
            steps: list[Any] = []

            def visit(name: str) -> None:
                if name in seen or name not in nodes:
                    return  # done, or an input placeholder
                seen.add(name)
                needs = list(nodes[name].needs.values())
                for parent in needs:
                    visit(parent)
                steps.append((name, self._instantiated_nodes[name], needs))

            for target in targets:
                visit(target)
            cache[targets] = steps
        return cache[targets]

    def run(
        self: DaskGraphRunner,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are "
                    f"the same as node names in the graph schema."
                )
            results[name] = (name, value)
        try:
            for name, node, needs in order(self, run_targets):
                results[name] = node(*(results.get(n, n) for n in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)

    DaskGraphRunner.run = run
