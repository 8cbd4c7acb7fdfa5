// A rejected import's report (/api/quarantine/ID, the quarantine bucket's report.json) as people read it: every
// failed check with its message and remedy, the warnings, every check run.
"use strict";

const [IMPORT_ID] = pathSegments("/report/");

function term(list, name, value) {
  if (value == null || value === "") {
    return;
  }
  list.appendChild(el("dt", { text: name }));
  list.appendChild(el("dd", { className: "long", text: value }));
}

function concernRow(concern) {
  return el("tr", { dataset: { check: concern.id } },
    el("td", { className: "id", text: concern.id }),
    el("td", { className: "long", text: concern.file || "" }),
    el("td", { className: "message long", text: concern.message || "" }),
    el("td", { className: "severity", text: concern.severity || "" }),
    el("td", { className: "remedy long", text: concern.remedy || "" }));
}

function statusClass(status) {
  return "state " + (status === "PASS" ? "PUBLISHED" : status === "WARN" ? "ARRIVED" : "FAILED");
}

async function load() {
  const api = "/api/quarantine/" + encodeURIComponent(IMPORT_ID || "");
  fillId("json-links", "JSON: ", el("a", { href: api, text: "report.json" }));
  let report;
  try {
    report = await getJson(api);
  } catch (e) {
    showError(e.status === 404 ? "There is no rejection report of import " + IMPORT_ID + "." : e.message);
    return;
  }
  fillId("report-title", "Rejection report of import " + report.importId);
  const summary = document.getElementById("summary");
  term(summary, "Import", report.importId);
  term(summary, "Source", report.source);
  term(summary, "Kept as", report.quarantinedAs);
  term(summary, "Arrived", time(report.arrivedAt));
  term(summary, "Rejected", time(report.rejectedAt));
  if (report.released) {
    term(summary, "Released", JSON.stringify(report.released));
  }
  document.querySelector("#failed tbody").replaceChildren(...(report.failed || []).map(concernRow));
  const warnings = (report.warnings || []).map(concernRow);
  document.querySelector("#warnings tbody").replaceChildren(...warnings);
  document.getElementById("no-warnings").hidden = warnings.length > 0;
  document.querySelector("#all-checks tbody").replaceChildren(...(report.checks || []).map((check) =>
    el("tr", { dataset: { check: check.id } }, el("td", { className: "id", text: check.id }),
      el("td", { className: statusClass(check.status), text: check.status }),
      el("td", { className: "long", text: check.file || "" }),
      el("td", { className: "long", text: check.message || "" }))));
  document.body.dataset.loaded = "true";
}

load();
