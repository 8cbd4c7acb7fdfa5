// The catalog list: /api/products a page at a time (search words, vendor filter), vendors from /api/vendors.
// The query, the vendor and the page's cursor live in the URL, so a page can be linked and reloaded.
"use strict";

const PAGE = 25;
const MAX_PAGE = 200;

function currentQuery() {
  const params = new URLSearchParams(location.search);
  const limit = parseInt(params.get("limit") || "", 10);
  return { q: params.get("q") || "", vendor: params.get("vendor") || "", cursor: params.get("cursor") || "",
    page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
    limit: limit >= 1 && limit <= MAX_PAGE ? limit : PAGE };
}

function go(query) {
  const params = new URLSearchParams();
  for (const key of ["q", "vendor", "cursor"]) {
    if (query[key]) {
      params.set(key, query[key]);
    }
  }
  if (query.page > 1) {
    params.set("page", String(query.page));
  }
  if (query.limit !== PAGE) {
    params.set("limit", String(query.limit));
  }
  const search = params.toString();
  location.assign("/catalog" + (search ? "?" + search : ""));
}

function productRow(product) {
  const name = product.name || product.product;
  const row = el("tr", { dataset: { vendor: product.vendor, product: product.product } });
  row.appendChild(el("td", { className: "name" },
    el("a", { href: productHref(product.vendor, product.product), text: name }),
    el("div", { className: "slug", text: product.vendor + "/" + product.product })));
  row.appendChild(el("td", { className: "vendor", text: product.vendorName || product.vendor }));
  row.appendChild(el("td", { className: "latest" }, product.latest
    ? el("a", { href: productHref(product.vendor, product.product, product.latest), text: product.latest })
    : el("span", { className: "retracted", text: "none available" })));
  row.appendChild(el("td", { className: "versions", text: product.versions }));
  row.appendChild(el("td", { className: "time", text: time(product.updated) }));
  return row;
}

async function loadVendors(selected) {
  const select = document.getElementById("vendor");
  try {
    const { vendors } = await getJson("/api/vendors");
    for (const vendor of vendors || []) {
      const option = el("option", { value: vendor.vendor,
        text: vendor.vendor + " (" + vendor.products + (vendor.products === 1 ? " product)" : " products)") });
      option.selected = vendor.vendor === selected;
      select.appendChild(option);
    }
  } catch (e) {
    showError("The vendors could not be read: " + e.message);
  }
}

async function loadProducts(query) {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.q) {
    params.set("q", query.q);
  }
  if (query.vendor) {
    params.set("vendor", query.vendor);
  }
  if (query.cursor) {
    params.set("cursor", query.cursor);
  }
  try {
    const page = await getJson("/api/products?" + params);
    const rows = (page.products || []).map(productRow);
    document.querySelector("#products tbody").replaceChildren(...rows);
    document.getElementById("no-products").hidden = rows.length > 0;
    document.getElementById("page-number").textContent = "page " + query.page;
    const next = document.getElementById("next");
    next.disabled = !page.next;
    next.onclick = () => go({ ...query, cursor: page.next, page: query.page + 1 });
    const first = document.getElementById("first");
    first.disabled = !query.cursor;
    first.onclick = () => go({ ...query, cursor: "", page: 1 });
    document.body.dataset.loaded = "true";
  } catch (e) {
    showError("The catalog could not be read: " + e.message);
  }
}

function start() {
  const query = currentQuery();
  document.getElementById("q").value = query.q;
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    go({ ...query, q: document.getElementById("q").value.trim(), vendor: document.getElementById("vendor").value,
      cursor: "", page: 1 });
  });
  document.getElementById("vendor").addEventListener("change", () => {
    go({ ...query, q: document.getElementById("q").value.trim(), vendor: document.getElementById("vendor").value,
      cursor: "", page: 1 });
  });
  loadVendors(query.vendor);
  loadProducts(query);
}

start();
