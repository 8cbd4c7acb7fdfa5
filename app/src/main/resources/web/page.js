// Helpers shared by the catalog's pages (catalog.js, product.js, report.js). Every piece of catalog data goes into
// the page through el() as text (textContent) or as an attribute whose value we checked (safeUrl, hrefs we build
// from encodeURIComponent'd parts): names, release notes and EULAs come from uploaded descriptors and may hold HTML.
"use strict";

/** A new element: el("td", {className: "x", text: "…", href: "…", title: "…"}, child, …). */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null) {
      continue;
    }
    if (key === "text") {
      node.textContent = String(value);
    } else if (key === "className") {
      node.className = value;
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(key, String(value));
    }
  }
  for (const child of children) {
    if (child != null) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

/** The JSON at path; an Error with the server's message when it answers anything but 2xx. */
async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    let message = "HTTP " + response.status;
    try {
      const body = await response.json();
      if (body && body.error) {
        message += ": " + body.error;
      }
    } catch (e) {
      // not JSON: the status says enough
    }
    const error = new Error(path + ": " + message);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

async function getText(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    throw new Error(path + ": HTTP " + response.status);
  }
  return response.text();
}

function time(at) {
  if (!at) {
    return "";
  }
  const date = new Date(at);
  return isNaN(date) ? String(at) : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** A size in bytes as people read it, the exact count beside. */
function size(bytes) {
  if (bytes == null) {
    return "";
  }
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
}

/** url when it is an absolute http(s) URL, else null: a descriptor's "javascript:" never becomes a link. */
function safeUrl(url) {
  if (typeof url !== "string") {
    return null;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

/** A link when url is a safe one, else the text alone. */
function urlOrText(url) {
  const safe = safeUrl(url);
  return safe ? el("a", { href: safe, rel: "noopener noreferrer nofollow", text: url }) : el("span", { text: url });
}

function encodePath(...parts) {
  return parts.map((p) => encodeURIComponent(p)).join("/");
}

function productHref(vendor, product, version) {
  return "/catalog/" + encodePath(vendor, product) + (version ? "/" + encodeURIComponent(version) : "");
}

/** The decoded segments of this page's path below prefix. */
function pathSegments(prefix) {
  return location.pathname.substring(prefix.length).split("/").filter((p) => p.length > 0).map(decodeURIComponent);
}

/** Replaces the children of the element with id by nodes. */
function fillId(id, ...nodes) {
  document.getElementById(id).replaceChildren(...nodes.filter((n) => n != null));
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message;
  box.hidden = false;
}
