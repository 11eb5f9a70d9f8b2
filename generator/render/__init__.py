"""From a solved batch to documents: what a variant's documents show (``sheets``, the network
``diagram``), the Jinja templates in their sandbox (``templates``, with ``mathtext`` notation
and ``embed`` for self-contained HTML), and WeasyPrint (``pdf``, parsing along ``fasthtml`` with
a ``useragent`` sheet trimmed to our documents; ``pdfjoin`` for print jobs; ``glyphs`` for the
characters no font has)."""
