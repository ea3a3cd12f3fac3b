// A cross-origin PUT with a custom header: the browser asks first with an
// OPTIONS preflight (Fetch standard, CORS-preflight fetch).
fetch("https://api.test:[[.HTTPS]]/cart", {
  method: "PUT",
  headers: { "Content-Type": "application/json", "X-Token": "abc" },
  body: JSON.stringify({ item: 1 }),
})
  .then((r) => r.json())
  .then((j) => { document.getElementById("status").textContent = "api: " + (j.ok ? "ok" : "failed"); })
  .catch((e) => { document.getElementById("status").textContent = "api: error " + e; });
