// types: three fetch() calls, for JSON, JavaScript and an image, and a
// cross-origin PUT with a custom header (so a preflight goes first).
Promise.all([
  fetch("data.json").then((r) => r.json()),
  fetch("lib.js").then((r) => r.text()),
  fetch("https://img.test:[[.HTTPS]]/px/types-fetched.png", { mode: "no-cors" }).then((r) => r.blob()),
  fetch("https://api.test:[[.HTTPS]]/types/put", {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-Token": "t" },
    body: "{}",
  }).then((r) => r.json()),
]).then(() => { document.getElementById("status").textContent = "types: done"; });
