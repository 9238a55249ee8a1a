// firehose-local console: polls the control API's JSON every second and draws
// the page. Every value shown is user data or comes from it (stream names,
// prefixes, record previews, error messages): it reaches the page as text
// nodes and attributes only, never parsed as markup.
"use strict";

const REFRESH_MS = 1000;
const SVG_NS = "http://www.w3.org/2000/svg";

// An element with attributes and children (strings become text nodes).
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  return node;
}

const integer = (n) => Math.round(Number(n) || 0).toLocaleString("en-US");

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(n) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const time = (ms) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");

async function getJson(path) {
  const answer = await fetch(path, { cache: "no-store" });
  const body = await answer.json();
  if (!answer.ok) throw new Error(`${path}: ${body.error || answer.status}`);
  return body;
}

// ---- counters ----
const COUNTER_GROUPS = [
  ["Traffic", [["put_requests", "Put requests"], ["records_received", "Records received"],
    ["records_stored", "Records stored"], ["bytes_stored", "Bytes stored"],
    ["records_acknowledged", "Records acknowledged"]]],
  ["Throttled", [["records_throttled", "Records throttled"], ["requests_throttled", "Requests throttled"]]],
  ["Injected faults", [["records_failed_injected", "Records failed"], ["requests_failed_500", "Requests 500"],
    ["requests_failed_503", "Requests 503"], ["resets_before", "Resets before"], ["resets_after", "Resets after"],
    ["records_stored_unacknowledged", "Stored, unanswered"], ["latency_injected", "Delayed"], ["stalls", "Stalls"]]],
  ["Refused", [["requests_invalid", "Invalid requests"], ["auth_failures", "Signature failures"],
    ["records_failed_storage", "Storage failures"]]],
];

function renderCounters(counters) {
  const groups = COUNTER_GROUPS.map(([title, names]) => el("div", { class: "group" }, el("h3", {}, title),
    el("div", { class: "tiles" }, names.map(([name, label]) => {
      const value = counters[name] || 0;
      const shown = name === "bytes_stored" ? `${integer(value)} (${bytes(value)})` : integer(value);
      const bad = title !== "Traffic";
      return el("div", { class: `tile${value > 0 ? " nonzero" : ""}${bad ? " bad" : ""}` },
        el("div", { class: "value", id: `counter-${name}` }, shown), el("div", { class: "label" }, label));
    }))));
  document.getElementById("counters").replaceChildren(...groups);
}

// ---- streams ----
function renderStreams(streams) {
  const rows = streams.map((s) => el("tr", { class: "stream" },
    el("td", { class: "stream-name" }, s.name),
    el("td", {}, s.status),
    el("td", { class: "key" }, `s3://${s.bucket}/${s.prefix}`),
    el("td", {}, `${bytes(s.buffer_bytes)} or ${s.buffer_seconds} s`),
    el("td", {}, s.compression),
    el("td", {}, s.encrypted ? "SSE" : "none"),
    el("td", { class: "key" }, s.error_output_prefix || "—")));
  document.querySelector("#streams tbody").replaceChildren(...rows);
  document.getElementById("streams-empty").hidden = streams.length > 0;
}

// ---- metrics ----
const CHARTED = [
  ["IncomingRecords", "sum", "records"], ["IncomingBytes", "sum", "bytes"],
  ["ThrottledRecords", "sum", "records", true], ["DeliveryToS3.Records", "sum", "records"],
  ["PutRecordBatch.Latency", "avg", "ms"], ["PutRecord.Latency", "avg", "ms"],
];

function barChart(points, statistic, startMs, endMs, periodMs, bad) {
  const width = 240, height = 70, slots = Math.max(1, Math.round((endMs - startMs) / periodMs));
  const value = (p) => statistic === "avg" ? (p.count ? p.sum / p.count : 0) : p.sum;
  const top = Math.max(1, ...points.map(value));
  const chart = svg("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  chart.append(svg("line", { class: "axis", x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5 }));
  const slotWidth = width / slots;
  for (const p of points) {
    const slot = Math.floor((p.t_ms - startMs) / periodMs);
    if (slot < 0 || slot >= slots) continue;
    const h = Math.max(1, (value(p) / top) * (height - 4));
    const bar = svg("rect", { class: bad ? "bar bad" : "bar", x: slot * slotWidth + 1, y: height - h,
      width: Math.max(1, slotWidth - 2), height: h });
    const tip = svg("title", {});
    tip.textContent = `${time(p.t_ms)}: ${integer(value(p))}`;
    bar.append(tip);
    chart.append(bar);
  }
  return chart;
}

function renderMetrics(metrics) {
  const byStream = new Map();
  for (const series of metrics.series) {
    if (!byStream.has(series.stream)) byStream.set(series.stream, new Map());
    byStream.get(series.stream).set(series.metric, series);
  }
  const periodMs = metrics.period_seconds * 1000;
  const blocks = [...byStream.keys()].sort().map((stream) => {
    const figures = CHARTED.filter(([name]) => byStream.get(stream).has(name)).map(([name, statistic, unit, bad]) => {
      const series = byStream.get(stream).get(name);
      const total = series.points.reduce((a, p) => a + p.sum, 0);
      const count = series.points.reduce((a, p) => a + p.count, 0);
      const summary = statistic === "avg" ? `average ${integer(count ? total / count : 0)} ${unit}`
        : `${integer(total)} ${unit}`;
      return el("figure", { class: "chart", "data-metric": name },
        barChart(series.points, statistic, metrics.start_ms, metrics.end_ms, periodMs, bad),
        el("figcaption", { class: "metric-caption" }, `${name}: ${summary}`));
    });
    return el("div", { class: "stream-charts", "data-stream": stream }, el("h3", {}, stream),
      el("div", { class: "charts" }, figures));
  });
  document.getElementById("charts").replaceChildren(...blocks);
  document.getElementById("charts-empty").hidden = blocks.length > 0;
}

// ---- delivered objects ----
function renderObjects(list) {
  const items = list.objects.map((o) => {
    const preview = o.preview
      ? el("pre", { class: "preview" }, o.preview.lines.join("\n") + (o.preview.more ? "\n…" : ""))
      : el("p", { class: "error" }, `no preview: ${o.preview_error}`);
    return el("div", { class: "object" },
      el("table", {}, el("tbody", {}, el("tr", {},
        el("td", {}, time(o.delivered_ms)), el("td", {}, o.stream), el("td", { class: "key object-key" }, o.key),
        el("td", { class: "num" }, `${integer(o.records)} records`), el("td", { class: "num" }, bytes(o.bytes))))),
      preview);
  });
  document.getElementById("objects").replaceChildren(...items);
  document.getElementById("objects-empty").hidden = items.length > 0;
}

// ---- faults and quotas ----
// [option, what it does, kind]: rate and quota get an on/off switch and a value; choice a list.
const SWITCHES = [
  ["quota-records", "records per second per stream", "quota"],
  ["quota-requests", "put calls per second per stream", "quota"],
  ["quota-bytes", "record bytes per second per stream", "quota"],
  ["fail-records", "records failed inside a successful answer", "rate"],
  ["fail-records-code", "their error", "choice", ["ServiceUnavailableException", "InternalFailure", "mix"]],
  ["fail-requests", "put calls answered 500 or 503", "rate"],
  ["fail-requests-status", "their status", "choice", ["500", "503", "mix"]],
  ["reset-before", "connections reset before storing", "rate"],
  ["reset-after", "connections reset after storing (duplicates)", "rate"],
  ["latency-ms", "added to every put call: MS or MS:JITTER_MS", "text"],
  ["stall-rate", "put calls left unanswered for stall-seconds", "rate"],
  ["stall-seconds", "length of a stall", "text"],
];
let shownSettings = "";
// The error line speaks for the latest change only: an earlier change's
// answer arriving late (a slow server) must not erase a newer one's error.
let latestChange = 0;

async function change(name, value) {
  const error = document.getElementById("settings-error");
  const mine = ++latestChange;
  let message;
  try {
    // Same origin: the browser sends Origin, which the server checks (--console-write).
    const answer = await fetch("/_local/settings", { method: "POST", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ [name]: value }) });
    const body = await answer.json();
    message = answer.ok ? "" : `${name}: ${body.error}`;
  } catch (e) {
    message = `${name}: ${e.message}`;
  }
  if (mine === latestChange) error.textContent = message;
  shownSettings = "";
  refresh();
}

function control(name, kind, choices, current) {
  if (kind === "choice") {
    const select = el("select", { "aria-label": name }, choices.map((c) => el("option", { value: c, selected: c === String(current) }, c)));
    select.addEventListener("change", () => change(name, select.value));
    return [select];
  }
  const input = el("input", { type: kind === "text" ? "text" : "number", "aria-label": `${name} value`,
    step: kind === "rate" ? "0.01" : "1", min: "0", max: kind === "rate" ? "1" : undefined, value: String(current) });
  const apply = el("button", { type: "button" }, "Set");
  apply.addEventListener("click", () => change(name, kind === "text" ? input.value : Number(input.value)));
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") apply.click(); });
  if (kind === "text") return [input, apply];
  const on = el("input", { type: "checkbox", "aria-label": `${name} on`, checked: Number(current) > 0 });
  on.addEventListener("change", () => {
    const fallback = kind === "rate" ? 0.1 : 1000;
    change(name, on.checked ? (Number(input.value) > 0 ? Number(input.value) : fallback) : 0);
  });
  return [el("label", { class: "switch" }, on, kind === "quota" ? " limit " : " on "), input, apply];
}

function renderSettings(settings) {
  const writable = settings["console-write"] === true;
  const mode = document.getElementById("mode");
  mode.textContent = writable ? "switches on (--console-write)" : "read-only";
  mode.className = writable ? "badge write" : "badge";
  const keys = settings.credentials && settings.credentials.length ? `signatures checked (${settings.credentials.join(", ")})` : "signatures not checked";
  document.getElementById("server").textContent =
    `region ${settings.region} · account ${settings["account-id"]} · ${settings.sink} · data ${settings["data-dir"]} · ${keys}`;
  document.getElementById("settings-note").textContent = writable
    ? "Changes apply to the next put calls (POST /_local/settings)."
    : "Read-only: start firehose-local with --console-write to change these from here (POST /_local/settings from a tool works either way).";
  const editing = document.activeElement && document.getElementById("settings").contains(document.activeElement);
  const text = JSON.stringify(settings);
  if (editing || text === shownSettings) return;
  shownSettings = text;
  const rows = SWITCHES.map(([name, help, kind, choices]) => {
    const current = settings[name];
    const shown = kind === "quota" && Number(current) === 0 ? "0 (no limit)" : String(current);
    return el("tr", {}, el("td", {}, name), el("td", { id: `setting-${name}` }, shown), el("td", { class: "note" }, help),
      writable ? el("td", {}, control(name, kind, choices, current)) : null);
  });
  document.querySelector("#settings tbody").replaceChildren(...rows);
}

// ---- the loop ----
// One refresh at a time: a change asks for one at once, which runs after the
// one in flight rather than beside it (two loops would poll twice as often).
let timer = null;
let running = false;
let again = false;

async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  const status = document.getElementById("status");
  try {
    const [counters, settings, streams, objects, metrics] = await Promise.all(
      ["counters", "settings", "streams", "objects", "metrics"].map((name) => getJson(`/_local/${name}`)));
    renderCounters(counters);
    renderSettings(settings);
    renderStreams(streams.streams);
    renderObjects(objects);
    renderMetrics(metrics);
    status.textContent = `updated ${time(Date.now())}`;
    status.className = "";
  } catch (e) {
    status.textContent = `cannot reach the server: ${e.message}`;
    status.className = "error";
  }
  running = false;
  if (again) {
    again = false;
    refresh();
  } else {
    timer = setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
