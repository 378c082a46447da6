// shiftnet page: three forms posting to the JSON API, plotly plots, atom <-> peak highlighting.
"use strict";
const $ = (selector, root = document) => root.querySelector(selector);
const PLOT_CONFIG = { responsive: true, displaylogo: false };
const HIGHLIGHT = "#e8590c", MARKER = "#1f77b4";

function message(view, text, kind = "") {
  const box = $(".message", view);
  box.textContent = text;
  box.className = "message " + kind;
}

// POST a form; returns the JSON answer or shows its error on the view and returns null.
async function post(url, form, view) {
  message(view, "working…", "busy");
  try {
    const response = await fetch(url, { method: "POST", body: new FormData(form) });
    const body = await response.json().catch(() => ({ error: `server answered ${response.status}` }));
    if (!response.ok) throw new Error(body.error || body.detail || `server answered ${response.status}`);
    message(view, "");
    $(".results", view).hidden = false;
    return body;
  } catch (error) {
    message(view, error.message);
    return null;
  }
}

const escape = (v) => (v === null || v === undefined ? "" : String(v)).replace(/[&<>"]/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

// rows: list of objects; columns: [key, header] pairs; atomKey: column whose value tags the row.
function table(rows, columns, atomKey) {
  const head = columns.map(([, title]) => `<th>${title}</th>`).join("");
  const body = rows.map((row) => {
    const tag = atomKey ? ` data-atom="${row[atomKey]}"` : "";
    return `<tr${tag}>` + columns.map(([key]) => `<td>${escape(row[key])}</td>`).join("") + "</tr>";
  }).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function lineTrace(trace) {
  return { y: trace.y, x0: trace.x0, dx: trace.dx, type: "scatter", mode: "lines",
           line: { width: 1, color: "#333" }, hoverinfo: "skip" };
}

function axisLayout(title) {
  return { margin: { l: 20, r: 10, t: 24, b: 40 }, showlegend: false, hovermode: "closest",
           xaxis: { title: { text: title }, autorange: "reversed", zeroline: false }, yaxis: { visible: false } };
}

// ---------------------------------------------------------------- predict
const predictView = $("#predict");
let peakAtoms = {};  // nucleus -> list of atom lists, one per marker

function highlight(atoms, except) {
  const on = new Set(atoms);
  document.querySelectorAll("#molecule .atom-spot").forEach((spot) =>
    spot.classList.toggle("on", on.has(Number(spot.dataset.atom))));
  document.querySelectorAll("#shift-table tr[data-atom]").forEach((row) =>
    row.classList.toggle("on", on.has(Number(row.dataset.atom))));
  for (const [nucleus, lists] of Object.entries(peakAtoms)) {
    if (nucleus === except) continue;
    const lit = lists.map((list) => list.some((a) => on.has(a)));
    Plotly.restyle(`plot-${nucleus}`, { "marker.color": [lit.map((l) => (l ? HIGHLIGHT : MARKER))],
                                         "marker.size": [lit.map((l) => (l ? 12 : 7))] }, [1]);
  }
}

function plotPrediction(nucleus, spectrum) {
  const id = `plot-${nucleus}`;
  const peaks = spectrum.peaks;
  peakAtoms[nucleus] = peaks.map((p) => p.atoms);
  const markers = {
    x: peaks.map((p) => p.ppm), y: peaks.map((p) => p.height), customdata: peaks.map((p) => p.atoms),
    text: peaks.map((p) => `${p.ppm.toFixed(2)} ppm ${p.multiplicity}, ${p.n} × ${nucleus}, atom ${p.atoms.join(", ")}`),
    type: "scatter", mode: "markers", marker: { size: 7, color: MARKER }, hovertemplate: "%{text}<extra></extra>",
  };
  const layout = axisLayout(`δ ${nucleus} (ppm), predicted at ${spectrum.obs_mhz} MHz`);
  Plotly.newPlot(id, [lineTrace(spectrum), markers], layout, PLOT_CONFIG);
  const plot = document.getElementById(id);
  plot.on("plotly_hover", (event) => highlight(event.points[0].customdata, nucleus));
  plot.on("plotly_unhover", () => highlight([], nucleus));
}

function showPrediction(result) {
  $("#molecule").innerHTML = result.svg;
  document.querySelectorAll("#molecule .atom-spot").forEach((spot) => {
    spot.addEventListener("mouseenter", () => highlight([Number(spot.dataset.atom)]));
    spot.addEventListener("mouseleave", () => highlight([]));
  });
  peakAtoms = {};
  for (const nucleus of ["13C", "1H"]) {
    if (result.spectra[nucleus]) plotPrediction(nucleus, result.spectra[nucleus]);
    else Plotly.purge(`plot-${nucleus}`);
  }
  $("#shift-table").innerHTML = table(result.table, [["nucleus", "nucleus"], ["atom_index", "atom"],
    ["element", "element"], ["n_h", "H"], ["shift_ppm", "δ (ppm)"], ["sigma_ppm", "σ (ppm)"]], "atom_index");
  $("#downloads").innerHTML = "download: " + ["csv", "sdf", "png", "svg"].map((fmt) =>
    `<a href="/api/predict/${result.token}/${fmt}?obs_mhz=${result.obs_mhz}" download>${fmt.toUpperCase()}</a>`).join("");
  if (result.set_aside) message(predictView, result.set_aside, "warn");
  if (!$("#candidates").value.trim()) $("#candidates").value = result.smiles || "";
}

// one structure source at a time: typing a SMILES drops the chosen file and vice versa
$("#smiles").addEventListener("input", () => { $("#structure-file").value = ""; });
$("#structure-file").addEventListener("change", () => { $("#smiles").value = ""; });

$("#predict-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await post("/api/predict", event.target, predictView);
  if (result) showPrediction(result);
});

// ---------------------------------------------------------------- spectrum
const spectrumView = $("#spectrum");

function plotSpectrum(result) {
  const nuclei = [].concat(result.nucleus);
  if (result.ndim === 1) {
    const rows = result.peaks.rows;
    const peaks = { x: rows.map((r) => r.shift_ppm), y: rows.map((r) => r.height / result.trace.scale),
                    type: "scatter", mode: "markers", marker: { size: 6, color: MARKER },
                    hovertemplate: "%{x:.3f} ppm<extra></extra>" };
    Plotly.newPlot("plot-spectrum", [lineTrace(result.trace), peaks],
                   axisLayout(`δ ${nuclei[0]} (ppm)`), PLOT_CONFIG);
    return;
  }
  const c = result.contours;
  const layer = (z, color) => ({ x: c.x, y: c.y, z, type: "contour", showscale: false, hoverinfo: "x+y",
    contours: { start: 1, end: c.levels, size: 1, coloring: "lines" }, colorscale: [[0, color], [1, color]] });
  const layout = axisLayout(`δ ${nuclei[1]} (ppm)`);
  layout.yaxis = { title: { text: `δ ${nuclei[0]} (ppm)` }, autorange: "reversed", zeroline: false };
  layout.margin.l = 60;
  Plotly.newPlot("plot-spectrum", [layer(c.positive, "#1f3b57"), layer(c.negative, "#c0392b")], layout, PLOT_CONFIG);
}

function showSpectrum(result) {
  plotSpectrum(result);
  const ref = result.reference;
  const info = { data: result.dataset, format: result.format, nucleus: [].concat(result.nucleus).join(" / "),
    "MHz": [].concat(result.obs_mhz).map((v) => v.toFixed(2)).join(" / "), "pulse program": result.pulse_program,
    solvent: result.solvent || "not given",
    reference: ref ? (ref.method ?? "none") + (ref.found_ppm != null ? ` found at ${ref.found_ppm.toFixed(3)} ppm` : "")
      + (ref.offset_ppm != null ? `, offset ${ref.offset_ppm.toFixed(3)} ppm` : "") : "none" };
  $("#spectrum-info").innerHTML = Object.entries(info).map(([k, v]) => `<dt>${k}</dt><dd>${escape(v)}</dd>`).join("");
  $("#steps").innerHTML = result.summary.map((line) => `<li>${escape(line)}</li>`).join("");
  $("#peaks-note").textContent = result.peaks.note;
  const rows = result.peaks.rows;
  $("#peak-table").innerHTML = rows.length ? table(rows, Object.keys(rows[0]).map((k) => [k, k])) : "";
  if (result.warnings.length) message(spectrumView, result.warnings.join(" · "), "warn");
}

$("#spectrum-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!$("#spectrum-file").files.length) return message(spectrumView, "choose a data file first");
  const result = await post("/api/spectrum", event.target, spectrumView);
  if (result) showSpectrum(result);
});

// ---------------------------------------------------------------- assign
const assignView = $("#assign");

$("#assign-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await post("/api/assign", event.target, assignView);
  if (!result) return;
  $("#assigned-molecule").innerHTML = result.svg;
  $("#assignment-table").innerHTML = table(result.table, [["atom_index", "atom"], ["nucleus", "nucleus"],
    ["predicted_ppm", "predicted"], ["sigma_ppm", "σ"], ["observed_ppm", "observed"], ["z_score", "z"],
    ["confidence", "confidence"]]);
  $("#offsets").textContent = "referencing offset: " +
    Object.entries(result.offset_ppm).map(([n, v]) => `${n} ${v} ppm`).join(", ");
  const ranked = (result.ranking || []).map((row) => ({ ...row,
    probability: row.probability === null ? null : row.probability.toPrecision(3) }))
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
  $("#ranking").innerHTML = ranked.length ? "<h3>Candidates, most probable first</h3>" + table(ranked, [["rank", "rank"],
    ["smiles", "candidate"], ["probability", "probability"], ["mae_13c", "MAE 13C"], ["mae_1h", "MAE 1H"],
    ["fits", "fits"], ["error", "error"]]) : "";
  $("#assigned-title").textContent = `Assignment of ${result.smiles}`;
  if (result.no_fit) message(assignView, "No candidate explains the peaks well: the structure may not be among them.", "warn");
});

// ---------------------------------------------------------------- tabs
document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
  document.querySelectorAll(".tab, .view").forEach((el) => el.classList.remove("active"));
  tab.classList.add("active");
  $(`#${tab.dataset.view}`).classList.add("active");
  window.dispatchEvent(new Event("resize"));  // plots drawn while hidden take their size now
}));
