"""One module per CLI command: ``configure(parser)`` and ``run(ctx) -> int``.

Modules import only argparse at top level; heavy imports happen inside ``run``.
"""
