"""Rendering speed and memory, as ratios measured in one run (see README, "Benchmarks").

    python benchmarks/bench_render.py            # about 8 minutes on 2 cores
    python benchmarks/bench_render.py --floor    # only 0., a few seconds
    python benchmarks/bench_render.py --floor --templates OTHER   # 0. for OTHER templates too
    python benchmarks/bench_render.py --subsetter    # only 5., about 3 minutes

  0. ours/floor, in this process, best of 3 (CPU seconds): WeasyPrint laying out and writing the worksheet and
     the key of a default 2-2-2-1 variant, against the floor: the same text with no markup
     (the text of <body>, each line stripped, blank lines dropped, in one <pre> block with the
     same font, size, line height, paper and margins). Worksheet, key, and both together
     (target <= 2.5x), English and Russian, with the page counts.
Then, each a median of alternating runs so that machine noise hits both sides alike:
  1. ours/plain: `gen-worksheets --count 30` (every PDF: worksheets, keys, handouts.pdf,
     answer-keys.pdf, grading-sheet.pdf) against plain WeasyPrint rendering the same
     per-variant worksheet and key HTML (from --format html) one by one in one process
     (target <= 0.6x; about 0.5x is the limit on two cores);
  2. pages per second of ours;
  3. 300 variants against 30: time ratio (target <= 11x) and peak memory ratio of the
     whole process tree (proportional set size; target <= 1.5x);
  4. the --jobs speed-up on 100 variants: --jobs 1 against the default (target >= 1.7x);
  5. without the system's font subsetter (Debian's libharfbuzz-subset0, hidden from one run by a
     private mount namespace where /dev/null stands in for it): `gen-worksheets --count 30`, CPU
     seconds of the whole process tree, subsetting with uharfbuzz's HarfBuzz against the system's
     (target <= 1.2x), and with fontTools, as WeasyPrint alone would (the figure of the notice the
     command gives when it has to).
  6. --accessible (tagged PDF/UA-1) against the default untagged PDFs, side by side:
     `gen-worksheets --count 30` (every PDF), CPU seconds of the whole process tree (the bar
     for tagging by default: <= 1.1x), and the size of each kind of file (worksheet, key,
     handouts.pdf, answer-keys.pdf, grading-sheet.pdf, feedback.pdf) and of all together (the
     bar: <= 1.5x); then `grade` writing feedback.pdf for 30 students, its CPU seconds.
Absolute seconds are printed for the record only: they depend on the machine.

    python benchmarks/bench_render.py --tagging      # only 6., about 2 minutes
"""

from __future__ import annotations

import argparse
import base64
import glob
import html
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

SEED = "20261127"
PLAIN = """
import sys, weasyprint
from pathlib import Path
for html in sorted(Path(sys.argv[1]).rglob("*.html")):
    weasyprint.HTML(filename=str(html)).write_pdf(str(Path(sys.argv[2]) / (html.stem + ".pdf")))
"""


# The command run where WeasyPrint cannot load the system's HarfBuzz subsetter ($0): a bind mount of
# /dev/null over it, seen only inside this process's own mount namespace (unshare: root, or a
# user namespace).
HIDE_SUBSETTER = 'mount --bind /dev/null "$0" && exec "$@"'
# WeasyPrint alone without the system's subsetter: ours stepped aside, fontTools subsets.
FONTTOOLS = ("import sys; from generator.render import pdf; pdf._bundled_subsetter = lambda: False; "
             "from generator import cli; sys.exit(cli.main(sys.argv[1:]))")
SUBSETTER_PROBE = "from weasyprint.pdf.fonts import harfbuzz_subset; print(harfbuzz_subset is None)"


def _tree_rss(pid: int) -> int:
    """Memory (kB) of a process and all its descendants, from /proc: the proportional set
    size, which counts a page shared by forked workers once, not once per worker."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            pass
    return total


def measure(cmd: list[str], memory: bool = False) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of the process tree (MB, with ``memory``), and stderr of one run.

    Sampling memory reads every process's smaps_rollup 50 times a second, which takes CPU
    from the processes measured (ours/plain 0.68x with it, 0.62x without, on 2 cores): only
    the memory comparison samples."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        if memory:
            peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return seconds, peak / 1024, err


def cpu_seconds(cmd: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) of one run's whole process tree, and its wall seconds: the
    workers are reaped by the command, so their time adds to its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = measure(cmd)[0]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def subsetter_library() -> str | None:
    """The system's HarfBuzz subsetter, where Debian (and most Linux systems) put it."""
    found = [path for pattern in ("/usr/lib/*/libharfbuzz-subset.so.0", "/usr/lib64/libharfbuzz-subset.so.0",
                                  "/usr/lib/libharfbuzz-subset.so.0") for path in sorted(glob.glob(pattern))]
    return found[0] if found else None


def without_subsetter(cmd: list[str], library: str) -> list[str]:
    own_namespace = ["--map-root-user"] if os.geteuid() else []
    return ["unshare", "--mount", *own_namespace, "sh", "-c", HIDE_SUBSETTER, library, *cmd]


def gen(count: int, out: Path, *extra: str) -> list[str]:
    shutil.rmtree(out, ignore_errors=True)
    return [sys.executable, "-m", "generator", "--count", str(count), "--seed", SEED, "--out", str(out), *extra]


_SVG_DATA = "data:image/svg+xml;base64,"


class _BodyText(HTMLParser):
    """The text a reader sees: every text node of <body>, no style, no title."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "title")
        # an image of an SVG (the diagram) shows its text too: the floor keeps it, as when inline
        src = dict(attrs).get("src") or ""
        if tag == "img" and src.startswith(_SVG_DATA):
            inner = _BodyText()
            inner.feed(base64.b64decode(src[len(_SVG_DATA):]).decode("utf-8"))
            self.parts += inner.parts

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def floor_html(document: str, paper: str = "A4") -> str:
    """The same text as ``document`` with no markup: WeasyPrint's floor for this much text."""
    parser = _BodyText()
    parser.feed(document)
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
            f'@page {{ size: {paper}; margin: 16mm 15mm 14mm 15mm }}'
            'html { font-family: "DejaVu Serif"; font-size: 9.5pt; line-height: 1.25 } body { margin: 0 }'
            'pre { font: inherit; white-space: pre-wrap; margin: 0 }'
            f'</style></head><body><pre>{html.escape(text)}</pre></body></html>')


def floor_ratios(templates: Path | None) -> None:
    """Section 0: layout + write of a default variant's worksheet and key against the floor."""
    from generator.exercise.batch import make_batch
    from generator.render.pdf import PdfMaker
    from generator.render.sheets import sheet
    from generator.render.templates import DocumentOptions, Renderer

    batch = make_batch(count=1, seed=int(SEED))
    answers = batch.solution.answers()
    for lang in ("en", "ru"):
        renderer = Renderer(DocumentOptions(lang=lang, templates=templates))
        view = sheet(batch, 0, answers)
        maker = PdfMaker(renderer.search_path)
        docs = {"worksheet": renderer.worksheet_html(view), "key": renderer.key_html(view)}

        def best(document: str, maker=maker) -> tuple[float, int]:
            maker.pdf(document)  # warm: fonts, caches
            times = []
            for _ in range(3):
                # CPU time of this process: layout and writing use no other, and the machines
                # are shared, so wall time would measure the neighbours too.
                start = time.process_time()
                _, pages = maker.pdf(document)
                times.append(time.process_time() - start)
            return min(times), pages

        total_ours = total_floor = 0.0
        cells = []
        for name, document in docs.items():
            (ours, pages), (floor, floor_pages) = best(document), best(floor_html(document))
            total_ours, total_floor = total_ours + ours, total_floor + floor
            cells.append(f"{name} {ours / floor:.2f}x [{ours * 1000:.0f} ms, {pages} p / {floor * 1000:.0f} ms, "
                         f"{floor_pages} p]")
        which = f" ({templates})" if templates else ""
        print(f"0. ours/floor{which}, {lang}: " + "; ".join(cells)
              + f"; together {total_ours / total_floor:.2f}x (target <= 2.5x)", flush=True)


def subsetter_ratios(work: Path, runs: int) -> None:
    """Section 5: --count 30 with and without the system's font subsetter, CPU seconds."""
    library = subsetter_library()
    if library:
        probe = subprocess.run(without_subsetter([sys.executable, "-c", SUBSETTER_PROBE], library),
                               capture_output=True, text=True)
        if probe.stdout.strip() != "True":
            print(f"5. cannot hide {library} from a run here (needs unshare, and root or user namespaces): "
                  f"{(probe.stderr.strip().splitlines() or ['?'])[-1]}", flush=True)
            return
    hide = (lambda cmd: without_subsetter(cmd, library)) if library else (lambda cmd: cmd)
    times: dict[str, list[tuple[float, float]]] = {"system": [], "uharfbuzz": [], "fontTools": []}
    for _ in range(runs):
        if library:
            times["system"].append(cpu_seconds(gen(30, work / "system", "--format", "pdf")))
        times["uharfbuzz"].append(cpu_seconds(hide(gen(30, work / "uharfbuzz", "--format", "pdf"))))
        command = gen(30, work / "fonttools", "--format", "pdf")
        times["fontTools"].append(cpu_seconds(hide([sys.executable, "-c", FONTTOOLS, *command[3:]])))
    cpu = {name: statistics.median(t[0] for t in runs_) for name, runs_ in times.items() if runs_}
    wall = {name: statistics.median(t[1] for t in runs_) for name, runs_ in times.items() if runs_}
    record = ", ".join(f"{name} {cpu[name]:.1f} s CPU ({wall[name]:.1f} s wall)" for name in cpu)
    if library:
        print(f"5. without the system's font subsetter, --count 30, CPU seconds: uharfbuzz/system "
              f"{cpu['uharfbuzz'] / cpu['system']:.2f}x (target <= 1.2x), fontTools/system "
              f"{cpu['fontTools'] / cpu['system']:.1f}x   [{record}]", flush=True)
    else:
        print(f"5. no system font subsetter here: fontTools/uharfbuzz {cpu['fontTools'] / cpu['uharfbuzz']:.1f}x "
              f"CPU seconds, --count 30   [{record}]", flush=True)


def _sizes(folder: Path) -> dict[str, int]:
    """Bytes of each kind of PDF of a batch (a kind's files added up) and of all of them."""
    kinds = {"worksheets": "worksheets/*.pdf", "keys": "keys/*.pdf", "handouts": "handouts.pdf",
             "answer keys": "answer-keys.pdf", "grading sheet": "grading-sheet.pdf", "feedback": "grades/feedback.pdf"}
    sizes = {kind: sum(p.stat().st_size for p in folder.glob(pattern)) for kind, pattern in kinds.items()}
    sizes = {kind: size for kind, size in sizes.items() if size}
    sizes["all"] = sum(sizes.values())
    return sizes


def _typed_responses(folder: Path) -> Path:
    """Every variant's key typed in as a student's answers, one of them wrong: grade's input."""
    import csv

    with open(folder / "answers.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(folder / "responses-template.csv", newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    typed = folder / "typed.csv"
    with open(typed, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for n, row in enumerate(rows):
            cells = [f"student {n + 1}" if h == "student" else row.get(h, "") for h in header]
            cells[-1] = "7.5"
            writer.writerow(cells)
    return typed


def tagging_ratios(work: Path, runs: int) -> None:
    """Section 6: --accessible (tagged PDF/UA-1) against untagged, --count 30 and its feedback.pdf."""
    key = work / "key"
    subprocess.run(gen(30, key, "--format", "json,csv", "-q"), check=True)
    typed = _typed_responses(key)
    times: dict[str, list[float]] = {"untagged": [], "tagged": []}
    grade_times: dict[str, list[float]] = {"untagged": [], "tagged": []}
    sizes = {}
    for _ in range(runs):
        for name in times:
            out = work / name
            tagged = ["--accessible"] if name == "tagged" else []
            times[name].append(cpu_seconds(gen(30, out, "--format", "pdf", *tagged))[0])
            grade = [sys.executable, "-m", "generator", "grade", str(typed), "--key", str(key / "answers.json"),
                     "--out", str(out / "grades"), "--format", "pdf", *tagged]
            grade_times[name].append(cpu_seconds(grade)[0])
            sizes[name] = _sizes(out)
    cpu = {name: statistics.median(t) for name, t in times.items()}
    grade_cpu = {name: statistics.median(t) for name, t in grade_times.items()}
    print(f"6. --accessible / untagged, --count 30, all PDFs: CPU seconds {cpu['tagged'] / cpu['untagged']:.2f}x "
          f"(default-on bar <= 1.1x)   [{cpu['untagged']:.1f} s / {cpu['tagged']:.1f} s]", flush=True)
    print(f"   grade, feedback.pdf of 30 students: CPU seconds {grade_cpu['tagged'] / grade_cpu['untagged']:.2f}x   "
          f"[{grade_cpu['untagged']:.1f} s / {grade_cpu['tagged']:.1f} s]", flush=True)
    print("   size, tagged/untagged (default-on bar <= 1.5x): " + "; ".join(
        f"{kind} {sizes['tagged'][kind] / size:.2f}x [{size / 1024:.0f} / {sizes['tagged'][kind] / 1024:.0f} KB]"
        for kind, size in sizes["untagged"].items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per comparison (at least 3)")
    parser.add_argument("--floor", action="store_true", help="only section 0, ours against the floor")
    parser.add_argument("--templates", type=Path, help="section 0 also for this template folder (e.g. an old one)")
    parser.add_argument("--subsetter", action="store_true", help="only section 5, with and without the system's "
                        "font subsetter")
    parser.add_argument("--tagging", action="store_true", help="only section 6, --accessible against untagged")
    args = parser.parse_args()
    runs = max(3, args.runs)
    only = tagging_ratios if args.tagging else subsetter_ratios if args.subsetter else None
    if only:  # one section, in a scratch folder of its own
        work = Path(tempfile.mkdtemp(prefix="bench-render-"))
        try:
            only(work, runs)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    floor_ratios(None)
    if args.templates:
        floor_ratios(args.templates)
    if args.floor:
        return
    work = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        html = work / "html"
        subprocess.run(gen(30, html, "--format", "html", "-q"), check=True)
        n_html = len(list(html.rglob("*.html")))

        plain_times, ours_times, pages = [], [], 0
        for _ in range(runs):
            plain_out = work / "plain"
            shutil.rmtree(plain_out, ignore_errors=True)
            plain_out.mkdir()
            plain_times.append(measure([sys.executable, "-c", PLAIN, str(html), str(plain_out)])[0])
            seconds, _, err = measure(gen(30, work / "ours", "--format", "pdf"))
            ours_times.append(seconds)
            pages = int(re.search(r"(\d+) pages", err).group(1))
        plain, ours = statistics.median(plain_times), statistics.median(ours_times)
        print(f"1. ours/plain, 30 variants:   {ours / plain:.2f}x   (target <= 0.6x)"
              f"   [ours {ours:.1f} s for all {pages} pages; plain WeasyPrint {plain:.1f} s for {n_html} documents]",
              flush=True)
        print(f"2. pages per second (ours):   {pages / ours:.1f}", flush=True)

        small, large = [], []
        for _ in range(runs):
            small.append(measure(gen(30, work / "small", "--format", "pdf"), memory=True))
            large.append(measure(gen(300, work / "large", "--format", "pdf"), memory=True))
        t30, t300 = statistics.median(s[0] for s in small), statistics.median(s[0] for s in large)
        m30, m300 = statistics.median(s[1] for s in small), statistics.median(s[1] for s in large)
        print(f"3. 300 vs 30 variants: time {t300 / t30:.1f}x (target <= 11x), peak RSS {m300 / m30:.2f}x "
              f"(target <= 1.5x)   [{t30:.1f} s / {t300:.1f} s; {m30:.0f} MB / {m300:.0f} MB, PSS of the process tree]",
              flush=True)

        serial, parallel = [], []
        for _ in range(runs):
            serial.append(measure(gen(100, work / "serial", "--format", "pdf", "--jobs", "1"))[0])
            parallel.append(measure(gen(100, work / "parallel", "--format", "pdf"))[0])
        s, p = statistics.median(serial), statistics.median(parallel)
        print(f"4. --jobs speed-up, 100 variants: {s / p:.2f}x (target >= 1.7x on 2 cores; this machine has "
              f"{os.cpu_count()})   [--jobs 1 {s:.1f} s; default {p:.1f} s]", flush=True)
        print(f"   for the record: --count 30, all PDFs, {ours:.1f} s (R/exams measured here: 23 s)", flush=True)
        subsetter_ratios(work, runs)
        tagging_ratios(work, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
