// The status page: polls the JSON API and rebuilds its tables. Data is only ever put in the page as text
// (textContent) or as URL parts encoded with encodeURIComponent: names come from uploaded files and may hold HTML.
"use strict";

const POLL_MS = 1500;
const REJECT_STATES = new Set(["REJECTED", "QUARANTINED"]);

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

function link(td, href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  td.appendChild(a);
}

/** The product page of a published import, at its version (catalogPath: "vendor/product/version/"). */
function catalogHref(catalogPath) {
  const parts = String(catalogPath).split("/").filter((p) => p.length > 0);
  return "/catalog/" + parts.map(encodeURIComponent).join("/");
}

/** The readable view of a rejected import's report. */
function reportHref(importId) {
  return "/report/" + encodeURIComponent(importId);
}

function time(at) {
  if (!at) {
    return "";
  }
  const date = new Date(at);
  return isNaN(date) ? String(at) : date.toLocaleString();
}

function stateCell(row, state) {
  // the class is one of our known state names or nothing: never a class chosen by the data
  const known = ["ARRIVED", "VERIFIED", "VALIDATED", "TRANSCODED", "PUBLISHED", "REJECTED", "QUARANTINED", "FAILED"];
  cell(row, state, "state" + (known.includes(state) ? " " + state : ""));
}

function importRow(status) {
  const row = document.createElement("tr");
  row.dataset.importId = status.importId;
  cell(row, status.importId, "id");
  cell(row, status.source, "source");
  cell(row, status.stage, "stage");
  stateCell(row, status.state);
  cell(row, status.message, "message");
  cell(row, time(status.at), "time");
  const links = cell(row, "", "link");
  if (status.state === "PUBLISHED" && status.catalogPath) {
    link(links, catalogHref(status.catalogPath), status.catalogPath);
  } else if (status.state === "QUARANTINED") {
    link(links, reportHref(status.importId), "report");
  }
  return row;
}

function rejectRow(status) {
  const row = document.createElement("tr");
  row.dataset.importId = status.importId;
  cell(row, status.importId, "id");
  cell(row, status.source, "source");
  stateCell(row, status.state);
  cell(row, status.message, "message");
  cell(row, time(status.at), "time");
  const links = cell(row, "", "link");
  if (status.state === "QUARANTINED") {
    link(links, reportHref(status.importId), "report");
  }
  return row;
}

function stageRow(stage) {
  const row = document.createElement("tr");
  row.dataset.stage = stage.stage;
  cell(row, stage.stage, "stage");
  cell(row, stage.total, "total");
  const counts = cell(row, "", "counts");
  for (const [state, count] of Object.entries(stage.counts || {})) {
    const span = document.createElement("span");
    span.className = "count";
    span.textContent = state + ": " + count;
    counts.appendChild(span);
  }
  return row;
}

function fill(tableId, rows, emptyId) {
  document.querySelector("#" + tableId + " tbody").replaceChildren(...rows);
  if (emptyId) {
    document.getElementById(emptyId).hidden = rows.length > 0;
  }
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    throw new Error(path + ": HTTP " + response.status);
  }
  return response.json();
}

async function refresh() {
  const connection = document.getElementById("connection");
  try {
    const [imports, stages] = await Promise.all([getJson("/api/imports"), getJson("/api/stages")]);
    fill("imports", imports.map(importRow), "no-imports");
    fill("rejects", imports.filter((s) => REJECT_STATES.has(s.state)).map(rejectRow), "no-rejects");
    fill("stages", (stages.stages || []).map(stageRow));
    connection.textContent = "live, updated " + new Date().toLocaleTimeString();
    connection.className = "live";
  } catch (e) {
    connection.textContent = "not reachable (" + e.message + "), retrying";
    connection.className = "stale";
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

refresh();
