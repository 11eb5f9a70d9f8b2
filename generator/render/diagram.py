"""Where the network diagram puts its neurons, edges and weight labels.

Geometry only; ``templates/diagram.svg`` draws it. Weight labels sit on their edges: the
labels of one source neuron in a column of their own (so fan-out keeps them apart), each
moved along its edge if it would still overlap another label or a neuron. With biases, each
layer but the output has a node "1" on top, the constant input whose weights are the biases.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sheets import Sheet

RADIUS = 12.0
ROW_GAP = 50.0
MARGIN = 16.0
LABEL_HEIGHT = 11.0
CHAR_WIDTH = 5.6  # of the label font at 9 px; digits and the minus sign are about this wide
_POSITIONS = tuple(t / 100 for t in range(20, 81, 5))  # where a label may sit along its edge


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    symbol: object  # sheets.Symbol


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float
    label_width: float
    value: float
    source: object = None  # sheets.Symbol: the neuron (or the constant "1") the weight comes from
    target: object = None  # ... and the neuron it goes to


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    label_height: float = LABEL_HEIGHT


def _overlap(a, b) -> float:
    """Area shared by two boxes (cx, cy, w, h)."""
    dx = min(a[0] + a[2] / 2, b[0] + b[2] / 2) - max(a[0] - a[2] / 2, b[0] - b[2] / 2)
    dy = min(a[1] + a[3] / 2, b[1] + b[3] / 2) - max(a[1] - a[3] / 2, b[1] - b[3] / 2)
    return max(dx, 0) * max(dy, 0)


def layout_diagram(sheet: Sheet, width: float, label_chars) -> Diagram:
    """``label_chars(value)``: how many characters the weight label of ``value`` has."""
    # Each column's nodes: what a weight matrix's rows connect from (the "1" first, where there
    # are biases), and the output.
    columns = [m.rows for m in sheet.matrices] + [sheet.layers[-1]]
    tallest = max(len(column) for column in columns)
    height = 2 * MARGIN + (tallest - 1) * ROW_GAP + 2 * RADIUS
    step = (width - 2 * (MARGIN + RADIUS)) / (len(columns) - 1)
    centres = []
    for c, column in enumerate(columns):
        x = MARGIN + RADIUS + c * step
        top = height / 2 - (len(column) - 1) * ROW_GAP / 2
        centres.append([(x, top + i * ROW_GAP) for i in range(len(column))])
    nodes = tuple(Node(x, y, sym) for column, pts in zip(columns, centres) for sym, (x, y) in zip(column, pts))
    taken = [(x, y, 2 * RADIUS, 2 * RADIUS) for x, y in (p for pts in centres for p in pts)]
    # Where the neurons a matrix's columns connect to stand: below the next column's "1".
    targets = [pts[len(column) - len(layer):] for column, layer, pts in zip(columns, sheet.layers, centres)]

    edges = []
    for layer, matrix in enumerate(sheet.matrices):
        sources = centres[layer]
        for i, (x1, y1) in enumerate(sources):
            preferred = 0.25 + 0.5 * i / (len(sources) - 1) if len(sources) > 1 else 0.5
            order = sorted(_POSITIONS, key=lambda t: abs(t - preferred))
            for j, (x2, y2) in enumerate(targets[layer + 1]):
                value = matrix.values[i][j]
                w = label_chars(value) * CHAR_WIDTH + 4
                best = None
                for t in [preferred, *order]:
                    box = (x1 + t * (x2 - x1), y1 + t * (y2 - y1), w, LABEL_HEIGHT)
                    clash = sum(_overlap(box, other) for other in taken)
                    if best is None or clash < best[0]:
                        best = (clash, box)
                    if clash == 0:
                        break
                box = best[1]
                taken.append(box)
                edges.append(Edge(x1, y1, x2, y2, box[0], box[1], w, value,
                                  columns[layer][i], sheet.layers[layer + 1][j]))
    return Diagram(width, height, nodes, tuple(edges))
