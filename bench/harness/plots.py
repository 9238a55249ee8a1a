"""The plots, drawn with gnuplot (Debian's gnuplot-nox, `make bench-deps`) as PNG: client CPU-s/GiB
per producer and data set; goodput against the quota over time; firehose send's RSS over time.
Without gnuplot there are no plots and the report says nothing of them."""
import os
import shutil
import statistics
import subprocess
import tempfile

from datasets import CLI_SET, CPU_SETS
from producers import BY_KEY, PRODUCERS

GIB = 2 ** 30
TERMINAL = 'set terminal pngcairo noenhanced size 1000,500 font "DejaVu Sans,10"'


def _q(text):
    """A gnuplot string literal (labels hold apostrophes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _gnuplot(script, data_dir):
    subprocess.run(["gnuplot"], input=script, text=True, check=True, cwd=data_dir)


def _cpu(results, data_dir, path):
    keys = [p.key for p in PRODUCERS] + ["firehose-pack"]
    cells = {}
    for r in results:
        if r["part"] == "cpu" and r["transport"] == "http":
            cells.setdefault((r["dataset"], r["producer"]), []).append((r["user"] + r["sys"]) / (r["input_bytes"] / GIB))
    sets = [d for d in CPU_SETS + (CLI_SET,) if any(s == d.name for s, _ in cells)]
    present = [k for k in keys if any(p == k and s in {d.name for d in sets} for s, p in cells)]
    if not present or not sets:
        return False
    with open(os.path.join(data_dir, "cpu.tsv"), "w") as f:
        f.write("set\t" + "\t".join(BY_KEY[k].label for k in present) + "\n")
        for d in sets:
            values = [cells.get((d.name, k)) for k in present]
            f.write(d.label + "\t" + "\t".join(f"{statistics.median(v):.4f}" if v else "NaN" for v in values) + "\n")
    _gnuplot(f"""{TERMINAL}
set output '{path}'
set title "Client CPU-seconds per GiB of input (lower is better; log scale), plain HTTP, same run"
set datafile separator "\\t"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [0.1:*]
set ylabel "CPU-s / GiB"
set grid ytics
set key below horizontal
plot for [i=2:{len(present) + 1}] 'cpu.tsv' using i:xtic(1) title columnheader(i)
""", data_dir)
    return True


def _quota(results, data_dir, path):
    runs = {}
    for r in results:
        if r["part"] == "quota" and r["repeat"] == 0:
            runs[r["producer"]] = r
    if not runs:
        return False
    plots = []
    for key, r in runs.items():
        name = f"quota-{key}.tsv"
        with open(os.path.join(data_dir, name), "w") as f:
            f.writelines(f"{t}\t{v}\n" for t, v in r["quota"]["goodput"])
        plots.append(f"'{name}' using 1:2 with steps lw 2 title {_q(BY_KEY[key].label)}")
    quota = next(iter(runs.values()))["quota"]["quota_mib_s"]
    _gnuplot(f"""{TERMINAL}
set output '{path}'
set title "Goodput (records stored per 0.5 s) against a {quota:.0f} MiB/s + 2,000 requests/s quota, 1 KiB records"
set xlabel "seconds from the first record"
set ylabel "MiB/s stored"
set yrange [0:*]
set grid
set key bottom right
plot {', '.join(plots)}, {quota} with lines dt 2 lw 2 lc rgb 'black' title 'quota ({quota:.0f} MiB/s)'
""", data_dir)
    return True


def _rss(results, data_dir, path):
    runs = [r for r in results if r["part"] == "rss" and r["repeat"] == 0 and r.get("rss_samples")]
    if not runs:
        return False
    plots = []
    for r in runs:
        name = f"rss-{r['dataset']}.tsv"
        with open(os.path.join(data_dir, name), "w") as f:
            f.writelines(f"{t}\t{v:.2f}\n" for t, v in r["rss_samples"])
        label = f"{r['input_bytes'] / 2 ** 20:,.0f} MiB of 1 KiB lines"
        plots.append(f"'{name}' using 1:2 with lines lw 2 title {_q(label)}")
    _gnuplot(f"""{TERMINAL}
set output '{path}'
set title "firehose send: resident memory over time (firehose-local, discard sink, no quota)"
set xlabel "seconds"
set ylabel "RSS MiB"
set yrange [0:*]
set grid
set key bottom right
plot {', '.join(plots)}, 48 with lines dt 2 lw 2 lc rgb 'black' title 'goal: 48 MiB'
""", data_dir)
    return True


def draw(results, img_dir):
    """Draws what the results hold; returns {name: path} of the PNGs made."""
    if not shutil.which("gnuplot"):
        return {}
    os.makedirs(img_dir, exist_ok=True)
    made = {}
    with tempfile.TemporaryDirectory() as data_dir:
        for name, draw_one in (("cpu", _cpu), ("quota", _quota), ("rss", _rss)):
            path = os.path.abspath(os.path.join(img_dir, f"bench-{name}.png"))
            if draw_one(results, data_dir, path):
                made[name] = path
    return made
