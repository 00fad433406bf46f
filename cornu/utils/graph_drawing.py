"""A layered drawing of a layer graph with matplotlib: what `plot_model` uses without Graphviz.

Layout (a small Sugiyama-style pass): each box's rank is its longest path from an input; boxes of
a rank are ordered by the mean position of their parents (a few sweeps) and placed side by side,
centred under their parents where there is room. Boxes are sized from their text. `rankdir`
'TB' draws top to bottom, 'LR' left to right ('BT', 'RL' reversed).
"""
import io

FONT = 10.0          # points
CHAR = 0.56 * FONT   # average character width (points) of the sans-serif font at FONT
LINE = 1.45 * FONT   # line height
PAD = 7.0            # inside a box
GAP_RANK = 34.0      # between ranks (room for the arrow)
GAP_SIDE = 18.0      # between boxes of one rank
MARGIN = 12.0


def _ranks(ids, edges):
    parents = {i: [] for i in ids}
    children = {i: [] for i in ids}
    for a, b in edges:
        parents[b].append(a)
        children[a].append(b)
    rank, pending = {}, {i: len(parents[i]) for i in ids}
    ready = [i for i in ids if pending[i] == 0]
    while ready:
        node = ready.pop(0)
        rank[node] = max((rank[p] + 1 for p in parents[node]), default=0)
        for child in children[node]:
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    for node in ids:  # a cycle cannot happen in a Keras graph; be safe anyway
        rank.setdefault(node, 0)
    return rank, parents, children


def layout(nodes, edges):
    """`{id: (x_center, y_center, width, height)}` in points, ranks growing downwards (TB)."""
    ids = [n[0] for n in nodes]
    size = {}
    for node_id, title, rows, _ in nodes:
        lines = [title] + list(rows)
        text = max([len(title) * CHAR * 1.12] + [len(row) * CHAR for row in rows])  # bold title
        size[node_id] = (text + 2 * PAD,
                         len(lines) * LINE + 2 * PAD)
    rank, parents, children = _ranks(ids, edges)
    levels = [[] for _ in range(max(rank.values(), default=0) + 1)]
    for node_id in ids:
        levels[rank[node_id]].append(node_id)
    x = {}

    def place(level, anchor):
        """Left-to-right in `level`'s order, each box at its wanted centre when it fits."""
        cursor, placed = None, []
        for node_id in level:
            width = size[node_id][0]
            want = anchor.get(node_id)
            left = want - width / 2 if want is not None else (cursor if cursor is not None else 0)
            if cursor is not None:
                left = max(left, cursor)
            x[node_id] = left + width / 2
            cursor = left + width + GAP_SIDE
            placed.append(node_id)
        # shift the rank so its boxes sit, on average, where their parents wanted them
        wanted = [anchor[n] - x[n] for n in placed if anchor.get(n) is not None]
        shift = sum(wanted) / len(wanted) if wanted else -(cursor - GAP_SIDE) / 2
        for node_id in placed:
            x[node_id] += shift

    place(levels[0], {})
    for _ in range(2):  # ordering sweeps: children by their parents' mean position
        for level in levels[1:]:
            level.sort(key=lambda n: sum(x[p] for p in parents[n]) / len(parents[n])
                       if parents[n] else 0.0)
            place(level, {n: sum(x[p] for p in parents[n]) / len(parents[n])
                          for n in level if parents[n]})
    y, top = {}, 0.0
    for level in levels:
        height = max(size[n][1] for n in level)
        for node_id in level:
            y[node_id] = top + height / 2
        top += height + GAP_RANK
    return {n: (x[n], y[n]) + size[n] for n in ids}


def _oriented(boxes, rankdir):
    """TB positions turned for LR / BT / RL (x, y in points, y growing downwards)."""
    out = {}
    for node_id, (cx, cy, w, h) in boxes.items():
        if rankdir in ("LR", "RL"):
            cx, cy = cy, cx
        out[node_id] = (cx, cy, w, h)
    if rankdir in ("BT", "RL"):
        if rankdir == "BT":
            bottom = max(cy + h / 2 for cx, cy, w, h in out.values())
            out = {n: (cx, bottom - cy, w, h) for n, (cx, cy, w, h) in out.items()}
        else:
            right = max(cx + w / 2 for cx, cy, w, h in out.values())
            out = {n: (right - cx, cy, w, h) for n, (cx, cy, w, h) in out.items()}
    return out


def _layout_lr(nodes, edges):
    """For LR the ranks run left to right, so the text boxes' widths set the rank spacing."""
    swapped = [(n[0], n[1], n[2], n[3]) for n in nodes]
    boxes = layout(swapped, edges)
    # layout() stacked ranks by height; restack them by width for a horizontal flow
    by_rank = {}
    for node_id, (cx, cy, w, h) in boxes.items():
        by_rank.setdefault(round(cy, 3), []).append(node_id)
    left, out = 0.0, {}
    for key in sorted(by_rank):
        width = max(boxes[n][2] for n in by_rank[key])
        for node_id in by_rank[key]:
            cx, cy, w, h = boxes[node_id]
            out[node_id] = (left + width / 2, cx, w, h)  # rank → x; in-rank position → y
        left += width + GAP_RANK
    # in-rank positions came from widths; spread them by heights instead
    for key in sorted(by_rank):
        column = sorted(by_rank[key], key=lambda n: out[n][1])
        cursor = None
        for node_id in column:
            cx, cy, w, h = out[node_id]
            top = cy - h / 2 if cursor is None else max(cy - h / 2, cursor)
            out[node_id] = (cx, top + h / 2, w, h)
            cursor = top + h + GAP_SIDE
    return out


def draw(nodes, edges, format="png", rankdir="TB", dpi=96):
    """The picture's bytes (`format`: png, svg, pdf, jpg)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
        import matplotlib
    except ImportError:
        raise ImportError("plot_model needs Graphviz's `dot` program or matplotlib to draw "
                          "pictures: `pip install matplotlib` (or cornu[plot]), or "
                          "`apt-get install graphviz`; save to a `.dot` file to get the graph "
                          "without either.") from None
    if rankdir in ("LR", "RL"):
        boxes = _layout_lr(nodes, edges)
        if rankdir == "RL":
            right = max(cx + w / 2 for cx, cy, w, h in boxes.values())
            boxes = {n: (right - cx, cy, w, h) for n, (cx, cy, w, h) in boxes.items()}
    else:
        boxes = _oriented(layout(nodes, edges), rankdir)
    x0 = min(cx - w / 2 for cx, cy, w, h in boxes.values()) - MARGIN
    x1 = max(cx + w / 2 for cx, cy, w, h in boxes.values()) + MARGIN
    y0 = min(cy - h / 2 for cx, cy, w, h in boxes.values()) - MARGIN
    y1 = max(cy + h / 2 for cx, cy, w, h in boxes.values()) + MARGIN
    width, height = x1 - x0, y1 - y0
    fig = Figure(figsize=(width / 72.0, height / 72.0), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)  # y grows downwards, as the layout
    ax.axis("off")
    groups = {}
    for node_id, title, rows, group in nodes:
        cx, cy, w, h = boxes[node_id]
        if group is not None:
            groups.setdefault(group, []).append(boxes[node_id])
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                                    boxstyle="round,pad=0,rounding_size=3", linewidth=1.0,
                                    edgecolor="#333333", facecolor="#f4f4f4"))
        lines = [title] + list(rows)
        top = cy - h / 2 + PAD
        for i, line in enumerate(lines):
            ax.text(cx, top + (i + 0.5) * LINE, line, ha="center", va="center",
                    fontsize=FONT, family="sans-serif", fontweight="bold" if i == 0 else "normal")
            if i == 0 and rows:
                ax.plot([cx - w / 2, cx + w / 2], [top + LINE, top + LINE], color="#999999",
                        linewidth=0.6)
    for group, members in groups.items():
        gx0 = min(cx - w / 2 for cx, cy, w, h in members) - 6
        gx1 = max(cx + w / 2 for cx, cy, w, h in members) + 6
        gy0 = min(cy - h / 2 for cx, cy, w, h in members) - 6
        gy1 = max(cy + h / 2 for cx, cy, w, h in members) + 6
        ax.add_patch(FancyBboxPatch((gx0, gy0), gx1 - gx0, gy1 - gy0, boxstyle="square,pad=0",
                                    linewidth=0.8, linestyle="--", edgecolor="#777777",
                                    facecolor="none"))
        ax.text(gx0 + 3, gy0 - 2, group, fontsize=FONT * 0.8, color="#555555", va="bottom")
    for a, b in edges:
        (ax_, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
        if rankdir in ("LR", "RL"):
            sign = 1 if bx >= ax_ else -1
            start, end = (ax_ + sign * aw / 2, ay), (bx - sign * bw / 2, by)
        else:
            sign = 1 if by >= ay else -1
            start, end = (ax_, ay + sign * ah / 2), (bx, by - sign * bh / 2)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                     linewidth=1.0, color="#333333", shrinkA=0, shrinkB=1))
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        fig.savefig(buffer, format=format, dpi=dpi)
    return buffer.getvalue()
