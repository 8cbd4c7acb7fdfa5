// A product's page: its versions from the product's document of the index (/api/catalog/V/P), and the chosen
// version (the path's third part, else the latest) from its appliance.json (/api/catalog/V/P/V): release notes,
// EULA, hardware, files per target and profile with their digests and download links, how to verify, provenance.
// Every artifact's name and link come from appliance.json; no bucket key is ever made up here.
"use strict";

const [VENDOR, PRODUCT, WANTED] = pathSegments("/catalog/");
const ENTRY_API = (version) => "/api/catalog/" + encodePath(VENDOR, PRODUCT, version);

/** A /download/ or /content/ URL of artifact name (its "<target>/" folder kept as path segments). */
function fileHref(version, kind, name) {
  return ENTRY_API(version) + "/" + kind + "/" + name.split("/").map(encodeURIComponent).join("/");
}

/** text quoted for a POSIX shell: nothing in it is interpreted. */
function shellQuote(text) {
  return "'" + String(text).replace(/'/g, "'\\''") + "'";
}

function definition(list, term, value) {
  if (value == null || value === "") {
    return;
  }
  list.appendChild(el("dt", { text: term }));
  list.appendChild(el("dd", { className: "long" }, typeof value === "string" ? el("span", { text: value }) : value));
}

function versionRow(version, latest, selected) {
  const retracted = version.state === "retracted";
  const row = el("tr", { className: (retracted ? "retracted-row" : "") + (version.version === selected ? " selected" : ""),
    dataset: { version: version.version } });
  const name = el("td", { className: "version" },
    el("a", { href: productHref(VENDOR, PRODUCT, version.version), text: version.version }));
  if (version.version === latest) {
    name.appendChild(el("span", { className: "badge latest", text: "latest" }));
  }
  row.appendChild(name);
  row.appendChild(el("td", { className: "state " + (retracted ? "retracted" : "available"), text: version.state }));
  row.appendChild(el("td", { className: "time", text: time(version.published) }));
  row.appendChild(el("td", { className: "id", text: version.importId }));
  const note = retracted && version.retraction
    ? "retracted " + time(version.retraction.at) + (version.retraction.reason ? ": " + version.retraction.reason : "")
    : "";
  row.appendChild(el("td", { className: "note long", text: note }));
  return row;
}

function renderProduct(productDocument, selected) {
  fillId("versions-title", "Versions (" + productDocument.versions.length + ")");
  document.querySelector("#versions tbody").replaceChildren(
    ...productDocument.versions.slice().reverse().map((v) => versionRow(v, productDocument.latest, selected)));
  const feeds = "/feeds/" + encodePath(VENDOR, PRODUCT);
  fillId("feeds", "Feeds of this product: ", el("a", { href: feeds + ".rss", id: "feed-rss", text: "RSS" }), " · ",
    el("a", { href: feeds + ".atom", id: "feed-atom", text: "Atom" }));
}

function renderRelease(entry) {
  const appliance = entry.appliance || {};
  const name = appliance.product || appliance.name || entry.product;
  fillId("product-name", name);
  fillId("product-vendor", appliance.vendor ? "by " + appliance.vendor : "");
  fillId("product-slug", entry.vendor + "/" + entry.product);
  document.title = "ovaflow catalog: " + String(name).substring(0, 120);
  fillId("version-title", "Version " + entry.version);
  const retracted = document.getElementById("retracted");
  if (entry.state === "retracted") {
    const r = entry.retraction || {};
    retracted.textContent = "Retracted " + time(r.at) + (r.reason ? ": " + r.reason : "") + ". Its files are not offered.";
    retracted.hidden = false;
  }
  const release = document.getElementById("release");
  release.replaceChildren();
  definition(release, "Product", name);
  definition(release, "Vendor", appliance.vendor);
  definition(release, "Version", appliance.version || entry.version);
  definition(release, "Full version", appliance.fullVersion);
  definition(release, "Product URL", appliance.productUrl ? urlOrText(appliance.productUrl) : null);
  definition(release, "Vendor URL", appliance.vendorUrl ? urlOrText(appliance.vendorUrl) : null);
  definition(release, "OVF", appliance.ovfVersion);
  definition(release, "Published", time(entry.provenance && entry.provenance.publishedAt));
  fillId("annotation", appliance.annotation || "(none)");
  if (appliance.eula) {
    fillId("eula-text", appliance.eula);
    document.getElementById("eula").hidden = false;
  }
}

function capacity(disk) {
  if (disk.capacityBytes != null) {
    return size(disk.capacityBytes);
  }
  return disk.capacity ? disk.capacity + (disk.capacityAllocationUnits ? " × " + disk.capacityAllocationUnits : "") : "";
}

function renderHardware(entry) {
  const appliance = entry.appliance || {};
  const rows = (appliance.virtualSystems || []).map((system) => {
    const row = el("tr", { dataset: { system: system.id || "" } });
    row.appendChild(el("td", { className: "long" }, el("span", { className: "system-name", text: system.name || system.id }),
      system.inCollection ? el("div", { className: "hint", text: "in " + system.inCollection }) : null));
    row.appendChild(el("td", { className: "long",
      text: [system.osDescription, system.osId != null ? "(OS id " + system.osId + ")" : null].filter(Boolean).join(" ") }));
    row.appendChild(el("td", { className: "cpus", text: system.cpus != null ? system.cpus : "" }));
    row.appendChild(el("td", { className: "memory", text: system.memoryMiB != null ? size(system.memoryMiB * 1048576) : "" }));
    const disks = el("td", { className: "long" });
    for (const disk of system.disks || []) {
      disks.appendChild(el("div", { text: [disk.diskId || disk.fileRef, capacity(disk),
        disk.controller ? "on " + disk.controller + (disk.controllerModel ? " (" + disk.controllerModel + ")" : "") : null]
        .filter(Boolean).join(", ") }));
    }
    row.appendChild(disks);
    row.appendChild(el("td", { className: "long", text: (system.networks || []).join(", ") }));
    return row;
  });
  document.querySelector("#systems tbody").replaceChildren(...rows);
  document.querySelector("#disks tbody").replaceChildren(...(appliance.disks || []).map((disk) =>
    el("tr", {}, el("td", { className: "long", text: disk.diskId }), el("td", { className: "long", text: disk.fileRef }),
      el("td", { className: "capacity", text: capacity(disk) }), el("td", { className: "long", text: disk.format }))));
  fillId("networks", (appliance.networks || []).length ? "Networks: " + appliance.networks.join(", ") : "");
}

/** The artifacts of the entry by target: the package's own files first, then each target or profile. */
function byTarget(artifacts) {
  const groups = new Map();
  for (const artifact of artifacts) {
    const group = artifact.role === "ova" ? "OVA as imported" : artifact.target || "original package";
    if (!groups.has(group)) {
      groups.set(group, []);
    }
    groups.get(group).push(artifact);
  }
  return groups;
}

function renderDownloads(entry) {
  const available = entry.state !== "retracted";
  document.getElementById("no-downloads").hidden = available;
  const sections = [];
  for (const [target, artifacts] of byTarget(entry.artifacts || [])) {
    const table = el("table", { className: "artifacts", dataset: { target } },
      el("caption", { text: target }),
      el("thead", {}, el("tr", {}, ...["File", "Role", "Size", "SHA-256", "Download"].map((h) =>
        el("th", { scope: "col", text: h })))));
    const body = el("tbody");
    const profileFiles = [];
    for (const artifact of artifacts) {
      const row = el("tr", { dataset: { name: artifact.name } });
      row.appendChild(el("td", { className: "file long", text: artifact.name }));
      row.appendChild(el("td", { className: "role", text: artifact.role }));
      row.appendChild(el("td", { className: "size", title: artifact.size + " bytes", text: size(artifact.size) }));
      row.appendChild(el("td", { className: "sha256", text: artifact.sha256 || "" }));
      row.appendChild(el("td", { className: "download" }, available
        ? el("a", { href: fileHref(entry.version, "download", artifact.name), text: "download",
          "aria-label": "download " + artifact.name })
        : el("span", { className: "retracted", text: "not offered" })));
      body.appendChild(row);
      if (available && artifact.role === "platform") {
        profileFiles.push(artifact);
      }
    }
    table.appendChild(body);
    const section = el("div", { className: "target" }, table);
    for (const artifact of profileFiles) {
      const pre = el("pre", { className: "text profile-file", tabindex: "0", dataset: { name: artifact.name }, text: "loading…" });
      section.appendChild(el("details", { open: "" }, el("summary", { text: "Ready to use: " + artifact.name }), pre));
      getText(fileHref(entry.version, "content", artifact.name))
        .then((text) => { pre.textContent = text; })
        .catch((e) => { pre.textContent = "could not be read: " + e.message; });
    }
    sections.push(section);
  }
  fillId("targets", ...sections);
}

function renderVerify(entry, signing) {
  const base = location.origin;
  const box = document.getElementById("verify");
  const parts = [];
  if (signing) {
    parts.push(el("p", {}, "The catalog's feeds and index are signed with the OpenPGP key ",
      el("code", { id: "fingerprint", text: signing.fingerprint }),
      signing.userId ? " (" + signing.userId + ")" : "", ". Compare that fingerprint with the one your operator gave you."));
  } else {
    parts.push(el("p", { className: "hint", id: "fingerprint",
      text: "This server signs nothing (no signing key): the digests below are only as good as this connection." }));
  }
  const feed = PRODUCT + ".atom";
  const lines = [];
  if (signing) {
    lines.push("curl -fsSLO " + shellQuote(base + signing.publicKey));
    lines.push("gpg --import ovaflow-signing.asc   # fingerprint " + signing.fingerprint);
    lines.push("curl -fsSL -o " + shellQuote(feed) + " " + shellQuote(base + "/feeds/" + encodePath(VENDOR, PRODUCT) + ".atom"));
    lines.push("curl -fsSL -o " + shellQuote(feed + ".asc") + " " + shellQuote(base + "/feeds/" + encodePath(VENDOR, PRODUCT) + ".atom.asc"));
    lines.push("gpg --verify " + shellQuote(feed + ".asc") + " " + shellQuote(feed) + "   # the feed states each file's sha256");
  }
  const artifacts = (entry.artifacts || []).filter((a) => a.sha256 && !/[\n\r\\]/.test(a.name));
  if (entry.state !== "retracted") {
    for (const artifact of artifacts) {
      lines.push("curl -fsSL --create-dirs -o " + shellQuote(artifact.name) + " "
        + shellQuote(base + fileHref(entry.version, "download", artifact.name)));
    }
  }
  lines.push("sha256sum -c <<'SHA256SUMS'");
  for (const artifact of artifacts) {
    lines.push(artifact.sha256 + "  " + artifact.name);
  }
  lines.push("SHA256SUMS");
  parts.push(el("p", {}, "Fetch the key and the product's feed, check the feed's signature, download, and check each "
    + "file's SHA-256 (every line must say OK; drop the files you did not download):"));
  parts.push(el("pre", { className: "commands", id: "verify-commands", tabindex: "0", text: lines.join("\n") }));
  box.replaceChildren(...parts);
}

function renderProvenance(entry) {
  const provenance = entry.provenance || {};
  const list = document.getElementById("provenance");
  list.replaceChildren();
  definition(list, "Source", provenance.source);
  definition(list, "Import", provenance.importId);
  definition(list, "Origin", provenance.origin);
  definition(list, "Source etag", provenance.etag);
  definition(list, "Arrived", time(provenance.arrivedAt));
  definition(list, "Published", time(provenance.publishedAt));
  const signer = provenance.signer;
  if (signer) {
    const details = el("div", {},
      el("div", { text: "subject: " + signer.subject }), el("div", { text: "issuer: " + signer.issuer }),
      el("div", { text: "SHA-256 fingerprint: " + signer.sha256Fingerprint }),
      el("div", { text: "valid " + time(signer.notBefore) + " to " + time(signer.notAfter) }),
      signer.algorithm ? el("div", { text: "algorithm: " + signer.algorithm }) : null);
    definition(list, "Vendor's signature", details);
  } else {
    definition(list, "Vendor's signature", "none (the package was not signed)");
  }
  document.querySelector("#checks tbody").replaceChildren(...(provenance.checks || []).map((check) =>
    el("tr", { dataset: { check: check.id } }, el("td", { className: "id", text: check.id }),
      el("td", { className: "state " + (check.status === "PASS" ? "PUBLISHED" : check.status === "WARN" ? "ARRIVED" : "FAILED"),
        text: check.status }),
      el("td", { className: "long", text: check.file || "" }), el("td", { className: "long", text: check.message || "" }))));
}

async function load() {
  if (!VENDOR || !PRODUCT) {
    showError("No product in this address.");
    return;
  }
  fillId("json-links", "JSON: ", el("a", { href: "/api/catalog/" + encodePath(VENDOR, PRODUCT), text: "this product's index document" }));
  let product;
  try {
    product = await getJson("/api/catalog/" + encodePath(VENDOR, PRODUCT));
  } catch (e) {
    fillId("product-name", VENDOR + "/" + PRODUCT);
    showError(e.status === 404 ? "There is no product " + VENDOR + "/" + PRODUCT + " in the catalog." : e.message);
    return;
  }
  const versions = product.versions || [];
  const selected = WANTED || product.latest || (versions.length ? versions[versions.length - 1].version : null);
  renderProduct(product, selected);
  if (!selected) {
    return;
  }
  try {
    const [entry, signing] = await Promise.all([getJson(ENTRY_API(selected)), getJson("/api/signing").catch(() => null)]);
    renderRelease(entry);
    renderHardware(entry);
    renderDownloads(entry);
    renderVerify(entry, signing);
    renderProvenance(entry);
    document.getElementById("json-links").appendChild(el("span", {}, " · ",
      el("a", { href: ENTRY_API(selected), text: "appliance.json of " + selected })));
    document.getElementById("version").hidden = false;
    document.body.dataset.loaded = "true";
  } catch (e) {
    showError(e.status === 404 ? "There is no version " + selected + " of " + VENDOR + "/" + PRODUCT + "." : e.message);
  }
}

load();
