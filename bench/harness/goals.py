"""Issue 16's goals, each checked against the figures of the same run: met, not met, or not
measured (and why)."""
import statistics

GIB = 2 ** 30


def _cpu(r):
    return (r["user"] + r["sys"]) / (r["input_bytes"] / GIB)


def _runs(results, part, dataset, producer, transport="http"):
    return [r for r in results if r["part"] == part and r["dataset"] == dataset and r["producer"] == producer
            and r["transport"] == transport]


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _num(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def _verdict(ok):
    return "**met**" if ok else "**not met**"


def _cpu_median(results, dataset, producer, transport="http"):
    return _median([_cpu(r) for r in _runs(results, "cpu", dataset, producer, transport)])


def rows(info, results):
    out = []
    firehose_1k, floor_1k = _cpu_median(results, "1k", "firehose"), _cpu_median(results, "1k", "floor")
    if firehose_1k and floor_1k:
        ratio = firehose_1k / floor_1k
        # The 1 KiB set's verdict includes the slow start, paced for most of a 1 GiB run; the
        # streaming run (the set four times) shows the same records past it, for reading only.
        streamed = _runs(results, "rss", "4x1k", "firehose")
        streaming = _median([_cpu(r) for r in streamed])
        aside = (f" (streaming {streamed[0]['input_bytes'] / GIB:.2f} GiB of them: {streaming:.2f} / {floor_1k:.2f} = "
                 f"{streaming / floor_1k:.2f}×)" if streamed else "")
        out.append(("1 KiB records: CPU ≤ 1.5 × the same-run floor, plain HTTP",
                    f"{firehose_1k:.2f} / {floor_1k:.2f} CPU-s/GiB = {ratio:.2f}×{aside}", _verdict(ratio <= 1.5)))
    else:
        out.append(("1 KiB records: CPU ≤ 1.5 × the floor, plain HTTP", "firehose send or the floor not run",
                    "not measured"))
    tls_1k = _cpu_median(results, "1k", "firehose", "https")
    tls_floor_1k = _cpu_median(results, "1k", "floor", "https")
    if tls_1k and tls_floor_1k:
        ratio = tls_1k / tls_floor_1k
        out.append(("… and over TLS", f"{tls_1k:.2f} / {tls_floor_1k:.2f} CPU-s/GiB (the floor over TLS too) = {ratio:.2f}×",
                    _verdict(ratio <= 1.5)))
    elif tls_1k:
        out.append(("… and over TLS", f"firehose send over HTTPS {tls_1k:.2f} CPU-s/GiB", "not measured: the floor was not run"))
    else:
        out.append(("… and over TLS", info.get("tls", "the tls part was not run"), "not measured"))

    packed = _runs(results, "cpu", "100b", "firehose-pack")
    if packed:
        per_million = _median([(r["user"] + r["sys"]) / (r["records"] / 1e6) for r in packed])
        out.append(("100 B records with `--pack`: ≤ 1.0 CPU-s per million", f"{per_million:.2f} CPU-s per million",
                    _verdict(per_million <= 1.0)))
        raw = packed[0]["input_bytes"]
        sent = packed[0]["summary"].get("bytes", raw)
        firehose_records = packed[0]["server"]["records_stored"]
        low, high = max(sent, 5120 * firehose_records) / raw, (sent + 5120 * firehose_records) / raw
        verdict = _verdict(True) if high <= 1.02 else _verdict(False) if low > 1.02 else "undecided (bounds)"
        out.append(("billed / raw bytes ≤ 1.02 for 100 B records with `--pack` (5 KB steps)",
                    f"{firehose_records:,} Firehose records for {packed[0]['records']:,} lines: "
                    f"between {low:.4f} and {high:.4f}", verdict))

    for peer, label, target in (("seed", "(b) the seed's algorithm", 9), ("js", "(d) the JS SDK v3", 7)):
        per_set, undelivered = [], []
        for dataset in ("1k", "100b", "64k", "example"):
            mine, theirs = _cpu_median(results, dataset, "firehose"), _cpu_median(results, dataset, peer)
            if mine and theirs:
                per_set.append((dataset, theirs / mine))
                # A peer that delivered none of a set (the seed's 500-record calls of 64 KiB records
                # are 32 MiB, over the 4 MiB limit) spent its CPU on a failed run: the ratio is shown,
                # but per GiB delivered it has no bound, and it is no miss.
                if all(r["summary"].get("acknowledged") == 0 for r in _runs(results, "cpu", dataset, peer)):
                    undelivered.append(dataset)
        if not per_set:
            out.append((f"≥ {target}× less CPU than {label}, same data", "not run", "not measured"))
            continue
        one_k = dict(per_set).get("1k")
        text = "; ".join(f"{d}: {x:.1f}×" + (" (it delivered none)" if d in undelivered else "") for d, x in per_set)
        missed = [d for d, x in per_set if x < target and d not in undelivered]
        verdict = _verdict(one_k is not None and one_k >= target)
        if missed and one_k is not None and one_k >= target:
            verdict += f" on 1 KiB (not on {', '.join(missed)})"
        out.append((f"≥ {target}× less CPU than {label}, same data, same run", text, verdict))

    quota = {k: [r for r in results if r["part"] == "quota" and r["producer"] == k] for k in ("firehose", "seed")}
    if quota["firehose"]:
        steady = _median([r["quota"]["steady"]["quota_used_pct"] for r in quota["firehose"]])
        whole_throttled = _median([r["quota"]["whole"]["throttled_pct"] for r in quota["firehose"]])
        seed = ""
        if quota["seed"]:
            s = quota["seed"]
            seed = (f"; (b) on the same quota: {_num(_median([r['quota']['whole']['quota_used_pct'] for r in s]))} % "
                    f"over its whole run, {_num(_median([r['quota']['whole']['throttled_pct'] for r in s]), 2)} % "
                    f"throttled, {_num(_median([r['records'] - (r['summary'].get('acknowledged') or 0) for r in s]), 0)}"
                    " records lost")
        out.append(("quota: ≥ 97 % of 5 MiB/s + 2,000 requests/s sustained, ≤ 2 % throttled",
                    f"(a) after the first 5 s: {_num(steady)} % of the quota; {_num(whole_throttled, 2)} % of records "
                    f"throttled over the whole run{seed}",
                    _verdict(steady is not None and steady >= 97 and whole_throttled <= 2)))
    else:
        out.append(("quota: ≥ 97 %, ≤ 2 % throttled", "the quota part was not run", "not measured"))

    big, small = _runs(results, "rss", "4x1k", "firehose"), _runs(results, "rss", "100mib", "firehose")
    if big:
        peak = max(r["max_rss_mib"] for r in big)
        size = big[0]["input_bytes"] / GIB
        scaled = (f" ({size:.2f} GiB: the 1 KiB set four times)" if info["scale"] == 1
                  else f" (scale {info['scale']:g}: {size:.2f} GiB streamed, not 4)")
        out.append(("peak RSS ≤ 48 MiB streaming 4 GiB", f"{peak:.1f} MiB (highest of {len(big)}){scaled}",
                    _verdict(peak <= 48)))
        if small:
            ratio = _median([r["max_rss_mib"] for r in big]) / _median([r["max_rss_mib"] for r in small])
            out.append(("RSS(4 GiB) / RSS(100 MiB) ≤ 1.2", f"{ratio:.2f} (medians; sizes {size:.2f} GiB and "
                        f"{small[0]['input_bytes'] / 2 ** 20:.0f} MiB)" + ("" if info["scale"] == 1 else " (scaled)"),
                        _verdict(ratio <= 1.2)))

    server = _median([r["server_cpu"] / (r["input_bytes"] / GIB) for r in _runs(results, "cpu", "1k", "firehose")])
    rates = [r["input_bytes"] / 2 ** 20 / r["wall"] for r in _runs(results, "cpu", "1k", "firehose")
             + _runs(results, "rss", "4x1k", "firehose")]
    if server and rates:
        capacity = 1024 / server
        out.append(("firehose-local (discard) ≥ 3 × the producer's peak on the same data",
                    f"firehose-local used {server:.2f} CPU-s/GiB: one core of its own absorbs about "
                    f"{capacity:,.0f} MiB/s; firehose send's best here {max(rates):,.0f} MiB/s: "
                    f"{capacity / max(rates):.1f}× (an estimate from CPU: client and server share 2 cores)",
                    _verdict(capacity / max(rates) >= 3)))
    return out


def table(info, results):
    lines = ["| goal | this run | verdict |", "|---|---|---|"]
    lines += [f"| {goal} | {figure} | {verdict} |" for goal, figure, verdict in rows(info, results)]
    return "\n".join(lines)
